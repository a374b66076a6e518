// `npm run bench`: every benchmark against its baseline in the same run, interleaved; prints the table and
// writes bench/results.json. Talks to 127.0.0.1 only. Run after `npm run build` (the npm script does).
// Options: --quick (fewer rounds, for a smoke run); --only receiver (just the receiver rows; also: startup,
// status, listen-ready, replay, starve, inspector).
import { existsSync, writeFileSync } from "node:fs";
import { cpus, platform, release, totalmem } from "node:os";
import { join } from "node:path";
import { benchPageLoad, benchRowLatency } from "./inspector.mjs";
import { findChromium, NO_CHROMIUM } from "./lib/browser.mjs";
import { cleanupHomes, DIST } from "./lib/env.mjs";
import { stopChild } from "./lib/proc.mjs";
import { benchListenReady, startListen } from "./listen.mjs";
import { benchReceiver, startHarness } from "./receiver.mjs";
import { benchReplay } from "./replay.mjs";
import { benchStartup, otherNodes } from "./startup.mjs";
import { benchStarve } from "./starve.mjs";
import { benchStatus } from "./status.mjs";

const quick = process.argv.includes("--quick");
const rounds = (full, small) => (quick ? small : full);
const onlyIndex = process.argv.indexOf("--only");
const only = onlyIndex >= 0 ? process.argv[onlyIndex + 1] : undefined;
const wanted = (name) => only === undefined || only === name;

if (!existsSync(join(DIST, "cli", "main.js"))) {
  console.error("dist/ is missing: run `npm run build` first (npm run bench does).");
  process.exit(2);
}

const machine = {
  cpu: cpus()[0]?.model ?? "unknown",
  cores: cpus().length,
  memory_gb: Number((totalmem() / 1024 ** 3).toFixed(1)),
  os: `${platform()} ${release()}`,
  node: process.version,
};
const startedAt = new Date();
const rows = [];
const step = async (label, fn) => {
  process.stderr.write(`bench: ${label}…\n`);
  const result = await fn();
  for (const row of Array.isArray(result) ? result : [result]) rows.push(row);
};

try {
  if (wanted("startup")) {
    await step("start-up", () => benchStartup({ rounds: rounds(30, 8) }));
    const others = otherNodes();
    if (others.length === 0)
      process.stderr.write(
        "bench: start-up on other Node lines skipped: `npm run test:matrix` fetches them\n",
      );
    for (const { version, path } of others)
      await step(`start-up on Node ${version}`, () =>
        benchStartup({ rounds: rounds(20, 5), node: path, label: `, Node ${version}` }),
      );
  }
  if (wanted("status"))
    await step("status against the sandbox", () => benchStatus({ rounds: rounds(20, 5) }));
  if (wanted("listen-ready"))
    await step("listen: spawn to ready", () => benchListenReady({ rounds: rounds(10, 3) }));
  // The receiver under load is measured in the listen process itself (journal on), as listen runs by default
  // (with its inspector, which keeps the newest 20,000 deliveries in memory) and with --no-inspect; if listen
  // is not built, in a harness wiring the receiver library to the journal the same way.
  if (wanted("receiver")) {
    const hasListen = existsSync(join(DIST, "commands", "listen.js"));
    const subjects = hasListen ? [() => startListen(), () => startListen(["--no-inspect"])] : [startHarness];
    for (const start of subjects) {
      const subject = await start();
      try {
        process.stderr.write(`bench: receiver throughput and memory (${subject.kind})…\n`);
        const { throughput, memory } = await benchReceiver(subject, {
          rounds: rounds(4, 1),
          seconds: rounds(3, 2),
        });
        rows.push(throughput, memory);
      } finally {
        await stopChild(subject.child);
      }
    }
  }
  if (wanted("replay"))
    await step("replay: a large journal, peak RSS", () => benchReplay({ events: rounds(100_000, 20_000) }));
  if (wanted("starve") && existsSync(join(DIST, "commands", "listen.js")))
    await step("listen under slowloris: 256 slow sockets, 100 senders, 2,000 events", () =>
      benchStarve({ events: rounds(2_000, 500) }),
    );
  // The inspector's page in headless Chromium. Without Chromium these rows are not measured: said so, and the
  // run exits non-zero.
  if (wanted("inspector")) {
    if (!findChromium()) {
      process.stderr.write(`bench: the inspector rows were NOT measured. ${NO_CHROMIUM}\n`);
      process.exitCode = 1;
    } else {
      await step("inspector: emit → row in the page", () => benchRowLatency({ events: rounds(50, 20) }));
      await step("inspector: page load with 10,000 deliveries", () =>
        benchPageLoad({ deliveries: 10_000, rounds: rounds(3, 1) }),
      );
    }
  }
} finally {
  cleanupHomes();
}

const fmtRatio = (r) => (r === null || r === undefined ? "" : `${r.toFixed(2)}×`);
const table = [
  ["what", "certwh", "baseline", "ratio", "target", "met"],
  ...rows.map((r) => [
    r.what,
    r.subject,
    r.baseline ? `${r.base} (${r.baseline})` : "",
    fmtRatio(r.ratio),
    r.target,
    r.met ? "yes" : "NO",
  ]),
];
const widths = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)));
const line = (row) => `| ${row.map((cell, i) => cell.padEnd(widths[i])).join(" | ")} |`;
console.log(
  `certwh benchmarks, ${startedAt.toISOString()} — ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}`,
);
console.log(line(table[0]));
console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
for (const row of table.slice(1)) console.log(line(row));
const breakdown = rows.find((r) => r.detail?.breakdown_ms)?.detail.breakdown_ms;
if (breakdown) {
  console.log("\nlisten --sandbox --json, median ms per step:");
  for (const [name, ms] of Object.entries(breakdown)) console.log(`  ${name.padEnd(30)} ${ms}`);
}

// A partial run (--only) prints its rows but leaves the full table in results.json alone.
if (only === undefined) {
  const out = new URL("./results.json", import.meta.url);
  writeFileSync(out, `${JSON.stringify({ date: startedAt.toISOString(), machine, quick, rows }, null, 2)}\n`);
  console.log(`\nwritten: bench/results.json${quick ? " (quick run)" : ""}`);
}
