// Writes V8's code cache next to each bundle in dist/bundle (see scripts/bundle.mjs), after running what
// starts run: `certwh --help`, `help create` and `event-types` through the real entry point, every command's
// context, and one undici request to a loopback server. scripts/bundle.mjs runs this as a child process
// with stdout ignored, since those commands print.
"use strict";
const { readdirSync, writeFileSync } = require("node:fs");
const { createServer } = require("node:http");
const { join } = require("node:path");
const { compileAndRun } = require("../../bin/certwh.cjs");

const dir = join(__dirname, "..", "..", "dist", "bundle");
const scripts = new Map();

/** Loads a bundle as the launcher would (registered in require.cache), keeping its script for the cache. */
function load(file) {
  const { script, exports } = compileAndRun(file);
  scripts.set(file, script);
  return exports;
}

async function requestOnce(undici) {
  const server = createServer((_req, res) => res.end("{}"));
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const agent = new undici.Agent();
  const answer = await undici.request(`http://127.0.0.1:${server.address().port}/`, { dispatcher: agent });
  await answer.body.text();
  await agent.close();
  await new Promise((resolve) => server.close(resolve));
}

async function run() {
  const core = load(join(dir, "certwh.cjs"));
  const undici = load(join(dir, "undici.cjs"));
  load(join(dir, "report.cjs"));
  const commandDir = join(dir, "commands");
  const commands = readdirSync(commandDir)
    .filter((f) => f.endsWith(".cjs"))
    .map((f) => load(join(commandDir, f)));
  await requestOnce(undici);
  const quiet = { write: () => true, isTTY: false };
  const globals = { json: false, color: false, verbose: false, input: false, yes: false };
  for (const bundle of commands)
    bundle.context.createContext({ globals, env: {}, stdout: quiet, stderr: quiet });
  for (const args of [["--help"], ["help", "create"], ["event-types"], ["event-types", "--json"]]) {
    await core.main(["node", "certwh", ...args]);
    if (process.exitCode !== 0) throw new Error(`certwh ${args.join(" ")} exited ${process.exitCode}`);
  }
  // At once: main leaves an unref'd exit timer behind after a command.
  for (const [file, script] of scripts) writeFileSync(`${file}.cache`, script.createCachedData());
}

run().catch((err) => {
  process.stderr.write(`make-caches: ${err.stack ?? err}\n`);
  process.exit(1);
});
