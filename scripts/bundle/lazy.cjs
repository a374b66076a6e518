// The bundled CLI's stand-in for src/cli/lazy.ts (see scripts/bundle.mjs): a command is one CommonJS bundle
// in ./commands that carries its own runtime, and failure reporting comes from that same bundle when a
// command was loaded (so it shares the command's redaction registry), from ./report.cjs otherwise.
// require() rather than import(): loading through Node's ESM loader costs several milliseconds a run.
"use strict";
const { join } = require("node:path");

let loaded;

exports.loadCommand = async (name) => {
  if (!/^[a-z][a-z-]*$/.test(name)) throw new Error(`Not a command name: ${name}`);
  loaded = require(join(__dirname, "commands", `${name}.cjs`));
  return loaded;
};

exports.loadReporting = async () => loaded ?? require(join(__dirname, "report.cjs"));
