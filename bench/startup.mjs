// Start-up: whole-process wall time of the quick commands against `node -e 0`, interleaved. On the Node that
// runs the bench, and on each other Node line the Node-matrix check has fetched (test/package/node-matrix.sh
// keeps their binaries in ~/.cache/certwh-node-matrix): each against its own `node -e 0`.
import { existsSync, readdirSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { BIN, cliEnv } from "./lib/env.mjs";
import { interleave, median, medianRatio, timeProcess } from "./lib/measure.mjs";

const COMMANDS = {
  "certwh --version": ["--version"],
  "certwh --help": ["--help"],
  "certwh event-types": ["event-types"],
};

const MATRIX_CACHE = join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "certwh-node-matrix");

/** The newest cached Node of each major line other than the running one: { version, path }. */
export function otherNodes() {
  if (!existsSync(MATRIX_CACHE)) return [];
  const running = process.versions.node.split(".")[0];
  const newest = new Map();
  const byVersion = (a, b) => a.localeCompare(b, undefined, { numeric: true });
  for (const version of readdirSync(MATRIX_CACHE).sort(byVersion)) {
    const path = join(MATRIX_CACHE, version, "bin", "node");
    const major = version.split(".")[0];
    if (major !== running && existsSync(path)) newest.set(major, { version, path });
  }
  return [...newest.values()];
}

export async function benchStartup({ rounds = 30, node = process.execPath, label = "" } = {}) {
  // Node 22+ keeps a compile cache (the launcher turns it on) in $TMPDIR/node-compile-cache: the warm-up
  // runs fill it, so these are warm starts, as every command after a user's first one is.
  const env = cliEnv();
  const variants = { "node -e 0": () => timeProcess(node, ["-e", "0"], { env }) };
  for (const [name, args] of Object.entries(COMMANDS))
    variants[name] = () => timeProcess(node, [BIN, ...args], { env });
  const samples = await interleave(variants, { rounds, warmup: 2 });
  const baseline = samples["node -e 0"];
  return Object.keys(COMMANDS).map((name) => {
    const { ratio } = medianRatio(samples[name], baseline);
    return {
      what: `${name} (whole process${label})`,
      baseline: "node -e 0",
      subject: `${median(samples[name]).toFixed(1)} ms`,
      base: `${median(baseline).toFixed(1)} ms`,
      ratio,
      target: name === "certwh --version" ? "reported" : "≤ 1.5×",
      met: name === "certwh --version" || ratio <= 1.5,
      rounds,
    };
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const row of await benchStartup({ rounds: Number(process.argv[2] ?? 30) })) console.log(row);
}
