// The bundled CLI's stand-in for src/cli/lazy.ts (see scripts/bundle.mjs): a command is one CommonJS bundle
// in ./commands that carries its own runtime, and failure reporting comes from that same bundle when a
// command was loaded (so it shares the command's redaction registry), from ./report.cjs otherwise.
// Bundles load through bin/certwh.cjs's loader (require plus their code cache), never import(): Node's
// ESM loader costs milliseconds a run.
"use strict";
const { join } = require("node:path");

// bin/certwh.cjs: the main module when certwh runs as a program (no path lookup), required otherwise.
const launcher = () =>
  require.main?.exports.loadBundle
    ? require.main.exports
    : require(join(__dirname, "..", "..", "bin", "certwh.cjs"));

let loaded;

exports.loadCommand = async (name) => {
  if (!/^[a-z][a-z-]*$/.test(name)) throw new Error(`Not a command name: ${name}`);
  loaded = launcher().loadBundle(join(__dirname, "commands", `${name}.cjs`));
  return loaded;
};

exports.loadReporting = async () => loaded ?? launcher().loadBundle(join(__dirname, "report.cjs"));
