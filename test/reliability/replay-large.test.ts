// Issue 11 case 16: replay streams the journal instead of reading and queueing all of it, so its memory
// stays flat in the journal's size. A journal of 25,000 events is replayed to a loopback receiver and the
// child's peak RSS (its own maxRSS, written at exit) must stay under 150 MB; reading it whole took about
// 4 KB per event. The 100,000-event run is in bench/replay.mjs (`npm run bench -- --only replay`).
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { createWriteStream, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { test } from "node:test";
import { BIN, cliEnv, tempDir, watch } from "../helpers/cli.js";

const EVENTS = 25_000;
const PEAK_LIMIT_KB = 150 * 1024;

/** A journal of `count` distinct certificate_issued entries, in listen's line format, one ms apart. */
async function writeJournal(path: string, count: number): Promise<void> {
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
    if (!out.write(`${line}\n`)) await new Promise<void>((resolve) => out.once("drain", () => resolve()));
  }
  await new Promise<void>((resolve, reject) =>
    out.end((err?: Error | null) => (err ? reject(err) : resolve())),
  );
}

test(`replay of ${EVENTS} events streams: every event delivered in order, peak RSS under 150 MB`, async (t) => {
  const home = tempDir("certwh-replay-large-");
  const journal = join(home, "journal.ndjson");
  await writeJournal(journal, EVENTS);

  // Counts deliveries and checks their order without keeping the bodies.
  let received = 0;
  let outOfOrder = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const order = (JSON.parse(Buffer.concat(chunks).toString("utf8")) as { data: { order_id: number } })
        .data.order_id;
      if (order !== received + 1) outOfOrder++;
      received++;
      res.end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(() => server.close());
  const port = (server.address() as AddressInfo).port;

  // The child writes its own peak RSS (kB) when it exits: exact, whatever the sampling would miss.
  const peakFile = join(home, "peak-rss");
  const preload = join(home, "peak-rss.cjs");
  writeFileSync(
    preload,
    `process.on("exit", () => require("node:fs").writeFileSync(${JSON.stringify(peakFile)}, String(process.resourceUsage().maxRSS)));\n`,
  );
  const run = watch(
    process.execPath,
    ["--require", preload, BIN, "replay", "--journal", journal, "--to", `http://127.0.0.1:${port}/hook`],
    { env: cliEnv({}, home), killAfterMs: 170_000 },
    t,
  );
  const exit = await run.exit;
  assert.equal(exit.code, 0, run.stderr().slice(-2000));
  assert.equal(received, EVENTS);
  assert.equal(outOfOrder, 0, "delivered in journal order");
  assert.match(run.stderr(), new RegExp(`Replayed ${EVENTS} events`));
  const peakKb = Number(readFileSync(peakFile, "utf8"));
  assert.ok(peakKb > 0, "the child reported its peak RSS");
  assert.ok(peakKb <= PEAK_LIMIT_KB, `peak RSS ${Math.round(peakKb / 1024)} MB is over 150 MB`);
});
