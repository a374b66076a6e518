#!/usr/bin/env node
// Thin launcher for the bundled CLI (dist/bundle, built by `npm run build` / `prepare`). CommonJS, so a
// run never starts Node's ES module loader unless a command needs an ESM-only dependency.
// A bare `certwh --version` (or -V) is answered here without loading the CLI or even process.stdout, so it
// costs little more than starting Node. The output is commander's: the version and a newline, exit 0.
"use strict";
const { readFileSync, writeSync } = require("node:fs");
const { join } = require("node:path");

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === "--version" || args[0] === "-V")) {
  const pkg = JSON.parse(readFileSync(join(__dirname, "..", "package.json"), "utf8"));
  const line = `${String(pkg.version)}\n`;
  try {
    writeSync(1, line);
  } catch (err) {
    // A non-blocking stdout that is full: let the stream wait. A closed pipe (`| head -c0`): nothing to say.
    if (err.code === "EAGAIN") process.stdout.write(line);
    else if (err.code !== "EPIPE") throw err;
  }
} else {
  loadCore().main(process.argv);
}

/**
 * The command table (dist/bundle/certwh.cjs), compiled from V8's code cache written next to it by the build
 * when this Node accepts it, as a plain require otherwise. Registered in require.cache either way: the
 * command bundles require the same instance.
 */
function loadCore() {
  const file = join(__dirname, "..", "dist", "bundle", "certwh.cjs");
  let cachedData;
  try {
    cachedData = readFileSync(`${file}.cache`);
  } catch {
    return require(file);
  }
  const Module = require("node:module");
  const { Script } = require("node:vm");
  const script = new Script(Module.wrap(readFileSync(file, "utf8")), { filename: file, cachedData });
  const dir = join(file, "..");
  const mod = new Module(file, module);
  mod.filename = file;
  mod.paths = Module._nodeModulePaths(dir);
  require.cache[file] = mod;
  script.runInThisContext()(mod.exports, Module.createRequire(file), mod, file, dir);
  mod.loaded = true;
  return mod.exports;
}
