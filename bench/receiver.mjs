// Receiver throughput: autocannon POSTs certificate_issued events with X-WEBHOOK-KEY (50 connections, a
// unique body per request so de-duplication never short-cuts the journal) at certwh and at a bare
// node:http server, alternating in rounds. Each server runs in its own process; autocannon runs here.
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import autocannon from "autocannon";
import { tempHome } from "./lib/env.mjs";
import { median, percentile, shuffled } from "./lib/measure.mjs";
import { peakRssMb, resetPeakRss, startChild, stopChild } from "./lib/proc.mjs";

const CONNECTIONS = 50;

function load(url, secret, seconds) {
  let n = 0;
  return autocannon({
    url,
    connections: CONNECTIONS,
    duration: seconds,
    method: "POST",
    headers: { "content-type": "application/json", "x-webhook-key": secret, "user-agent": "certwh-bench" },
    requests: [
      {
        setupRequest(req) {
          n += 1;
          req.body = JSON.stringify({
            event: "certificate_issued",
            data: { order_id: 470000000 + n, certificate_id: 471270113, certificate_chain: [] },
          });
          return req;
        },
      },
    ],
  });
}

function summarize(result) {
  const seconds = result.duration;
  return {
    rps: result.requests.total / seconds,
    p99: result.latency.p99,
    p50: result.latency.p50,
    ok: result["2xx"],
    bad: result.non2xx + result.errors + result.timeouts,
  };
}

/** The bare node:http baseline. */
export async function startBare() {
  const started = await startChild(process.execPath, [
    new URL("./servers/bare.mjs", import.meta.url).pathname,
  ]);
  return { child: started.child, url: started.line.url };
}

/** certwh's receiver + journal in a small harness process (see servers/receiver.mjs). */
export async function startHarness() {
  const secret = randomBytes(32).toString("base64url");
  const journal = join(tempHome(), "journal.ndjson");
  const started = await startChild(process.execPath, [
    "--import",
    "tsx",
    new URL("./servers/receiver.mjs", import.meta.url).pathname,
    secret,
    journal,
  ]);
  return { child: started.child, url: started.line.url, secret, journal, kind: "receiver library + journal" };
}

/**
 * `subject` is a started certwh receiver ({child, url, secret, kind}); it is stopped by the caller.
 * Returns the throughput row and the memory row.
 */
export async function benchReceiver(subject, { rounds = 4, seconds = 3 } = {}) {
  const bare = await startBare();
  const runs = { bare: [], certwh: [] };
  const startupPeakMb = peakRssMb(subject.child.pid);
  const peakReset = resetPeakRss(subject.child.pid);
  try {
    // One short warm-up each (JIT, file cache), not recorded.
    await load(bare.url, subject.secret, 1);
    await load(subject.url, subject.secret, 1);
    for (let round = 0; round < rounds; round++) {
      for (const name of shuffled(["bare", "certwh"])) {
        const url = name === "bare" ? bare.url : subject.url;
        runs[name].push(summarize(await load(url, subject.secret, seconds)));
      }
    }
  } finally {
    await stopChild(bare.child);
  }
  const ratios = runs.certwh.map((r, i) => r.rps / runs.bare[i].rps);
  const ratio = median(ratios);
  const rssMb = peakRssMb(subject.child.pid);
  const bad = runs.certwh.reduce((sum, r) => sum + r.bad, 0);
  const answered = runs.certwh.reduce((sum, r) => sum + r.ok, 0);
  const throughput = {
    what: `receiver throughput (${subject.kind}, ${CONNECTIONS} connections, journal on)`,
    baseline: "bare node:http server",
    subject: `${Math.round(median(runs.certwh.map((r) => r.rps)))} req/s, p99 ${percentile(
      runs.certwh.map((r) => r.p99),
      50,
    )} ms`,
    base: `${Math.round(median(runs.bare.map((r) => r.rps)))} req/s, p99 ${percentile(
      runs.bare.map((r) => r.p99),
      50,
    )} ms`,
    ratio,
    target: "≥ 0.7×",
    met: ratio >= 0.7 && bad === 0,
    rounds,
    detail: { answered_200: answered, not_200_or_errors: bad, seconds_per_round: seconds },
  };
  const memory = {
    what: `peak RSS under that load (${subject.kind})`,
    baseline: "",
    subject: rssMb === null ? "n/a" : `${rssMb.toFixed(1)} MB`,
    base: "",
    ratio: null,
    target: "≤ 150 MB",
    met: rssMb !== null && rssMb <= 150,
    rounds,
    detail: {
      measured_from: peakReset ? "after the ready line (VmHWM reset)" : "process start (VmHWM)",
      startup_peak_mb: startupPeakMb === null ? null : Number(startupPeakMb.toFixed(1)),
    },
  };
  return { throughput, memory };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const subject = await startHarness();
  try {
    const rows = await benchReceiver(subject, { rounds: Number(process.argv[2] ?? 2), seconds: 2 });
    console.log(rows);
  } finally {
    await stopChild(subject.child);
  }
}
