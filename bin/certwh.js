#!/usr/bin/env node
// certwh's launcher: Node's own compile cache where this Node has it (22.1+), then the CLI built in dist/.
import module from "node:module";

module.enableCompileCache?.();
const { main } = await import("../dist/cli/main.js");
await main(process.argv);
