#!/usr/bin/env node
// certwh's launcher: Node's own compile cache where this Node has it (22.1+), then the CLI built in dist/.
import module from "node:module";

// Ctrl-C while the CLI loads is held for main, which handles it as any interruption (else it would kill
// certwh without a word).
const held = [];
const hold = (signal) => held.push(signal);
process.on("SIGINT", hold).on("SIGTERM", hold).on("SIGHUP", hold);
module.enableCompileCache?.();
const { main } = await import("../dist/cli/main.js");
// main adds its own handlers before its first await; Node keeps one handle per signal while any listener
// remains, so a signal already on its way reaches main's handler, not a removed one.
const run = main(process.argv, held);
process.off("SIGINT", hold).off("SIGTERM", hold).off("SIGHUP", hold);
await run;
