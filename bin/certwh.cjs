#!/usr/bin/env node
// certwh's launcher, and the loader of its CommonJS bundles (dist/bundle, built by `npm run build` /
// `prepare`; see scripts/bundle.mjs). CommonJS, so a run never starts Node's ES module loader unless a
// command needs an ESM-only dependency.
"use strict";
const Module = require("node:module");
const { existsSync, readFileSync, writeSync } = require("node:fs");
const { dirname, join, sep } = require("node:path");

/**
 * A bundle compiled from the V8 code cache the build wrote next to it (<bundle>.cache), so a start skips
 * compiling it (Node ≥ 22's module.enableCompileCache does the same); when there is no cache or this Node
 * rejects it (another V8 version or flags), V8 compiles as usual. The build writes each bundle ASCII-only and
 * already wrapped as a CommonJS module function, so it is read as one-byte text and compiled as it is: no
 * copies on the heap (they cost a garbage collection in a short command).
 */
function compileBundle(file) {
  let cachedData;
  try {
    cachedData = readFileSync(`${file}.cache`);
  } catch {
    cachedData = undefined;
  }
  const { Script } = require("node:vm");
  return new Script(readFileSync(file, "latin1"), { filename: nameInStackTraces(file), cachedData });
}

/**
 * A code cache keeps the script name it was made under (the build machine's path), so scripts are named
 * by their place in the package instead, e.g. certwh/dist/bundle/commands/status.cjs: the same at build time
 * and wherever certwh is installed, and no home directory in a pasted stack trace.
 */
const packageRoot = join(__dirname, "..");
function nameInStackTraces(file) {
  if (!file.startsWith(packageRoot + sep)) return file;
  return `certwh/${file
    .slice(packageRoot.length + 1)
    .split(sep)
    .join("/")}`;
}

/** Runs the bundle as a module registered in require.cache, so bundles requiring each other share one. */
function runBundle(script, file) {
  const dir = dirname(file);
  const mod = new Module(file, module);
  mod.filename = file;
  mod.paths = Module._nodeModulePaths(dir);
  require.cache[file] = mod;
  try {
    script.runInThisContext()(mod.exports, Module.createRequire(file), mod, file, dir);
  } catch (err) {
    delete require.cache[file];
    throw err;
  }
  mod.loaded = true;
  return mod.exports;
}

/** Used here for the command table and by it for command bundles (scripts/bundle/lazy.cjs). */
exports.loadBundle = (file) => require.cache[file]?.exports ?? runBundle(compileBundle(file), file);

/**
 * import() for the bundles: code compiled by vm.Script cannot import() on Node 20 without an experimental
 * flag, so the build routes their import() of dependencies (ESM-only ones: chalk, conf, inquirer) here.
 */
exports.importModule = (specifier) => import(specifier);

/** For the build: loads a bundle and returns the script, whose createCachedData() is the cache to write. */
exports.compileAndRun = (file) => {
  const script = compileBundle(file);
  return { script, exports: runBundle(script, file) };
};

/**
 * A bare `certwh --version` (or -V) is answered here without loading the CLI or even process.stdout, so it
 * costs little more than starting Node. The output is commander's: the version and a newline, exit 0.
 */
function printVersion() {
  const pkg = JSON.parse(readFileSync(join(__dirname, "..", "package.json"), "utf8"));
  const line = `${String(pkg.version)}\n`;
  try {
    writeSync(1, line);
  } catch (err) {
    // A non-blocking stdout that is full: let the stream wait. A closed pipe (`| head -c0`): nothing to say.
    if (err.code === "EAGAIN") process.stdout.write(line);
    else if (err.code !== "EPIPE") throw err;
  }
}

function runCli(core) {
  if (!existsSync(core)) {
    // A checkout without a build (the package on npm ships dist/).
    process.stderr.write(
      "certwh is not built: dist/bundle/certwh.cjs is missing. Run `npm run build` first.\n",
    );
    process.exitCode = 1;
    return;
  }
  exports.loadBundle(core).main(process.argv);
}

if (require.main === module) {
  const args = process.argv.slice(2);
  if (args.length === 1 && (args[0] === "--version" || args[0] === "-V")) printVersion();
  else runCli(join(__dirname, "..", "dist", "bundle", "certwh.cjs"));
}
