// certwh replay of a 100,000-event journal to a loopback receiver: wall time and the child's peak RSS (its
// own maxRSS, written at exit). The target is memory flat in the journal's size: ≤ 150 MB at 100,000 events
// (reading the journal whole took 456–484 MB). The baseline is the same replay of a 1,000-event journal.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { createWriteStream, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { BIN, cliEnv, tempHome } from "./lib/env.mjs";

/** A journal of `count` distinct certificate_issued entries in listen's line format. */
async function writeJournal(path, count) {
  const out = createWriteStream(path, { mode: 0o600 });
  const start = Date.UTC(2026, 0, 31, 9);
  for (let i = 0; i < count; i++) {
    const body = JSON.stringify({
      event: "certificate_issued",
      data: { order_id: i + 1, certificate_id: 500_000 + i, common_name: `host-${i}.example.com` },
    });
    const line = JSON.stringify({
      received_at: new Date(start + i).toISOString(),
      id: createHash("sha256").update(body).digest("hex").slice(0, 16),
      event: "certificate_issued",
      body,
      headers: { "content-type": "application/json", "user-agent": "DigiCert" },
      key_present: true,
    });
    if (!out.write(`${line}\n`)) await new Promise((resolve) => out.once("drain", resolve));
  }
  await new Promise((resolve, reject) => out.end((err) => (err ? reject(err) : resolve())));
}

/** Replays `count` events; resolves with { ms, peakMb, received }. */
async function replayOnce(count) {
  const home = tempHome("certwh-bench-replay-");
  const journal = join(home, "journal.ndjson");
  await writeJournal(journal, count);
  let received = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      received++;
      res.end("ok");
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const peakFile = join(home, "peak-rss");
  const preload = join(home, "peak-rss.cjs");
  writeFileSync(
    preload,
    `process.on("exit", () => require("node:fs").writeFileSync(${JSON.stringify(peakFile)}, String(process.resourceUsage().maxRSS)));\n`,
  );
  const url = `http://127.0.0.1:${server.address().port}/hook`;
  const started = performance.now();
  try {
    const code = await new Promise((resolve, reject) => {
      const child = spawn(
        process.execPath,
        ["--require", preload, BIN, "replay", "--journal", journal, "--to", url],
        {
          env: cliEnv({}, home),
          stdio: ["ignore", "ignore", "ignore"],
        },
      );
      const timer = setTimeout(() => child.kill("SIGKILL"), 600_000);
      child.on("error", reject);
      child.on("exit", (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    if (code !== 0) throw new Error(`replay of ${count} events exited ${code}`);
  } finally {
    server.close();
  }
  const ms = performance.now() - started;
  return { ms, peakMb: Number(readFileSync(peakFile, "utf8")) / 1024, received };
}

export async function benchReplay({ events = 100_000 } = {}) {
  const small = await replayOnce(1000);
  const large = await replayOnce(events);
  if (large.received !== events) throw new Error(`replay delivered ${large.received} of ${events} events`);
  return [
    {
      what: `replay peak RSS, ${events.toLocaleString("en")} events`,
      baseline: "the same, 1,000 events",
      subject: `${large.peakMb.toFixed(0)} MB`,
      base: `${small.peakMb.toFixed(0)} MB`,
      ratio: large.peakMb / small.peakMb,
      target: "≤ 150 MB",
      met: large.peakMb <= 150,
      detail: { events, ms: Math.round(large.ms), per_event_ms: Number((large.ms / events).toFixed(3)) },
    },
    {
      what: `replay wall time, ${events.toLocaleString("en")} events to loopback`,
      baseline: "",
      subject: `${(large.ms / 1000).toFixed(1)} s (${((large.ms / events) * 1000).toFixed(0)} µs/event)`,
      base: "",
      ratio: null,
      target: "reported",
      met: true,
    },
  ];
}
