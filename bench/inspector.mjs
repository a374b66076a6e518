// The inspector's page in headless Chromium against `certwh listen --sandbox --json --no-journal`:
//
// 1. Delivery → row: the page open, events emitted one at a time through the sandbox (POST /sandbox/v1/emit,
//    which answers once listen has answered the delivery 200); for each, the time from the emit to the page's
//    #delivery-count reaching the new total (a MutationObserver in the page). The baseline is a Node client
//    reading the same /events stream: the time from the emit to that event's line reaching it. Also reported:
//    the row against the sandbox's answer, which is often negative: listen sends the event to /events as it
//    answers the delivery, before the sandbox has answered the emit.
// 2. Page load: a session holding 10,000 deliveries (POSTed straight to listen's receiver with the secret),
//    timed from page.goto to body[data-loaded="true"], with the rows shown and the page's JS heap after a GC;
//    the baseline is the same page of an empty session, interleaved in the same run.
//
// Times are epoch milliseconds with sub-millisecond precision on both sides (performance.timeOrigin +
// performance.now() in Node and in the page: the same machine's clock). Only 127.0.0.1; every wait bounded.
import { randomBytes } from "node:crypto";
import { Agent, request } from "node:http";
import { launchChromium } from "./lib/browser.mjs";
import { BIN, cliEnv, tempHome } from "./lib/env.mjs";
import { interleave, median, medianRatio, percentile } from "./lib/measure.mjs";
import { startChild, stopChild } from "./lib/proc.mjs";

const now = () => performance.timeOrigin + performance.now();
const round1 = (ms) => Number(ms.toFixed(1));

/** `certwh listen --sandbox --json --no-journal` with a known secret; resolves at its ready line. */
async function startSession() {
  const home = tempHome();
  const secret = randomBytes(32).toString("base64url");
  const started = await startChild(
    process.execPath,
    [BIN, "listen", "--sandbox", "--json", "--no-journal", "--secret-env", "BENCH_SECRET"],
    { env: cliEnv({ BENCH_SECRET: secret }, home), match: (l) => l.type === "ready" },
  );
  return { child: started.child, ready: started.line, secret };
}

/** Opens the inspector (the printed URL: token → cookie) in a fresh context; resolves once it is live. */
async function openInspector(browser, ready) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(ready.inspector_url, { timeout: 30_000 });
  // A function, not a string: with polling "raf" a string is eval'ed in the page, which its CSP forbids.
  await page.waitForFunction(
    () =>
      document.body.dataset.loaded === "true" &&
      document.getElementById("status").textContent.endsWith("listening"),
    undefined,
    { timeout: 30_000, polling: "raf" },
  );
  return { context, page };
}

/** Emits one event through the sandbox; resolves once the sandbox answers that listen took it (200). */
async function emit(ready, orderId) {
  const answer = await fetch(new URL("/sandbox/v1/emit", ready.sandbox_url), {
    method: "POST",
    headers: { "x-dc-devkey": ready.sandbox_api_key, "content-type": "application/json" },
    body: JSON.stringify({
      event: "certificate_issued",
      data: { order_id: orderId, certificate_id: orderId },
    }),
    signal: AbortSignal.timeout(10_000),
  });
  const outcome = await answer.json();
  if (answer.status !== 200 || outcome.delivered !== true)
    throw new Error(
      `the sandbox did not deliver event ${orderId}: ${answer.status} ${JSON.stringify(outcome)}`,
    );
}

/**
 * A Node client of the inspector's /events (logged in with the printed URL's token, as the page is): `at(id)`
 * resolves with the time the delivery of order `id` reached it (within 10 s).
 */
async function openStream(inspectorUrl) {
  const url = new URL(inspectorUrl);
  const login = await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(10_000) });
  const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0];
  if (login.status !== 303 || !cookie) throw new Error(`the inspector's login answered ${login.status}`);
  const stream = new AbortController();
  const res = await fetch(new URL("/events", url), { headers: { cookie }, signal: stream.signal });
  if (res.status !== 200) throw new Error(`/events answered ${res.status}`);
  const arrived = new Map();
  const waiting = new Map();
  (async () => {
    const decoder = new TextDecoder();
    let pending = "";
    for await (const chunk of res.body) {
      const t = now();
      const blocks = (pending + decoder.decode(chunk, { stream: true })).split("\n\n");
      pending = blocks.pop() ?? "";
      for (const block of blocks) {
        if (!block.startsWith("data: ")) continue;
        const e = JSON.parse(block.slice(6));
        if (e.type !== "event") continue;
        arrived.set(e.data?.order_id, t);
        waiting.get(e.data?.order_id)?.(t);
      }
    }
  })().catch(() => undefined); // ends with close()
  return {
    at: (id) =>
      arrived.has(id)
        ? Promise.resolve(arrived.get(id))
        : new Promise((resolve, reject) => {
            const timer = setTimeout(
              () => reject(new Error(`order ${id} not on /events within 10 s`)),
              10_000,
            );
            waiting.set(id, (t) => {
              clearTimeout(timer);
              resolve(t);
            });
          }),
    close: () => stream.abort(),
  };
}

/**
 * In the page: window.__shown settles with the time #delivery-count first reaches `expected` (checked on every
 * DOM change), or fails after 10 s.
 */
function watchForCount(expected) {
  const count = () => Number(document.getElementById("delivery-count").textContent);
  window.__shown = new Promise((resolve, reject) => {
    const observer = new MutationObserver(() => {
      if (count() < expected) return;
      observer.disconnect();
      clearTimeout(timer);
      resolve(performance.timeOrigin + performance.now());
    });
    const timer = setTimeout(() => {
      observer.disconnect();
      reject(new Error(`#delivery-count did not reach ${expected} within 10 s (it shows ${count()})`));
    }, 10_000);
    observer.observe(document.body, { subtree: true, childList: true, characterData: true });
  });
}

const stats = (values) => ({
  min: round1(Math.min(...values)),
  median: round1(median(values)),
  p95: round1(percentile(values, 95)),
});

export async function benchRowLatency({ events = 50 } = {}) {
  const session = await startSession();
  const browser = await launchChromium();
  const stream = await openStream(session.ready.inspector_url);
  try {
    const { page } = await openInspector(browser, session.ready);
    const start = Number(await page.textContent("#delivery-count"));
    const toRow = [];
    const toStream = [];
    const answerToRow = [];
    for (let i = 1; i <= events; i++) {
      const orderId = 700_000_000 + i;
      await page.evaluate(watchForCount, start + i);
      const sent = now();
      await emit(session.ready, orderId);
      const answered = now();
      const shown = await page.evaluate(() => window.__shown);
      toRow.push(shown - sent);
      toStream.push((await stream.at(orderId)) - sent);
      answerToRow.push(shown - answered);
    }
    const last = await page.evaluate(
      () => [...document.querySelectorAll("#deliveries [data-event]")].pop()?.dataset.event,
    );
    if (last !== "certificate_issued") throw new Error(`the last row is not the emitted event: ${last}`);
    const row = stats(toRow);
    return {
      what: `inspector: emit → row in the page, ${events} events one at a time (sandbox → listen → /events → headless Chromium)`,
      baseline: "emit → the same event read by a Node client of /events",
      subject: `median ${row.median} ms (min ${row.min}, p95 ${row.p95})`,
      base: `${round1(median(toStream))} ms`,
      ratio: medianRatio(toRow, toStream).ratio,
      target: "reported",
      met: true,
      rounds: events,
      detail: {
        emit_to_row_ms: row,
        emit_to_stream_ms: stats(toStream),
        // Negative: the row was there before the sandbox's answer reached the bench.
        sandbox_answer_to_row_ms: stats(answerToRow),
      },
    };
  } finally {
    stream.close();
    await browser.close();
    await stopChild(session.child);
  }
}

/** POSTs `count` distinct certificate_issued events to listen's receiver, `parallel` at a time. */
async function fill(session, count, parallel = 16) {
  const url = new URL(session.ready.local_url);
  const agent = new Agent({ keepAlive: true, maxSockets: parallel });
  const post = (orderId) =>
    new Promise((resolve, reject) => {
      const body = JSON.stringify({
        event: "certificate_issued",
        data: { order_id: orderId, certificate_id: orderId },
      });
      const req = request(
        url,
        {
          method: "POST",
          agent,
          headers: {
            "content-type": "application/json",
            "content-length": Buffer.byteLength(body),
            "x-webhook-key": session.secret,
          },
          timeout: 30_000,
        },
        (res) => {
          res.resume();
          res.once("end", () =>
            res.statusCode === 200 ? resolve() : reject(new Error(`delivery ${orderId}: ${res.statusCode}`)),
          );
        },
      );
      req.once("timeout", () => req.destroy(new Error(`delivery ${orderId}: no answer in 30 s`)));
      req.once("error", reject);
      req.end(body);
    });
  let next = 0;
  const sender = async () => {
    while (next < count) await post(800_000_000 + next++);
  };
  try {
    await Promise.all(Array.from({ length: parallel }, sender));
  } finally {
    agent.destroy();
  }
}

/** One cold load of the inspector in a fresh context: ms to body[data-loaded], rows shown, JS heap (MB). */
async function loadOnce(browser, ready) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send("Performance.enable");
    const started = now();
    await page.goto(ready.inspector_url, { timeout: 60_000 });
    await page.waitForFunction(() => document.body.dataset.loaded === "true", undefined, {
      timeout: 120_000,
      polling: "raf",
    });
    const ms = now() - started;
    const rows = Number(await page.textContent("#delivery-count"));
    await cdp.send("HeapProfiler.collectGarbage");
    const { metrics } = await cdp.send("Performance.getMetrics");
    const metric = (name) => metrics.find((m) => m.name === name)?.value ?? Number.NaN;
    return { ms, rows, heapMb: metric("JSHeapUsedSize") / 1024 ** 2, domNodes: metric("Nodes") };
  } finally {
    await context.close();
  }
}

export async function benchPageLoad({ deliveries = 10_000, rounds = 3 } = {}) {
  const full = await startSession();
  const empty = await startSession();
  const browser = await launchChromium();
  try {
    const filled = now();
    await fill(full, deliveries);
    process.stderr.write(`bench: ${deliveries} deliveries posted in ${round1(now() - filled)} ms\n`);
    const samples = await interleave(
      { full: () => loadOnce(browser, full.ready), empty: () => loadOnce(browser, empty.ready) },
      { rounds, warmup: 1 },
    );
    const ms = (s) => s.map((x) => x.ms);
    const heap = (s) => s.map((x) => x.heapMb);
    const rows = samples.full.map((x) => x.rows);
    const shown = Math.min(...rows);
    // listen's own start (its test event, the challenge) shows as deliveries in both sessions.
    const expected = deliveries + samples.empty[0].rows;
    return [
      {
        what: `inspector: page load with ${deliveries.toLocaleString("en-US")} deliveries in the session (goto → body[data-loaded])`,
        baseline: "the same page, empty session",
        subject: `${round1(median(ms(samples.full)))} ms, ${shown.toLocaleString("en-US")} of ${expected.toLocaleString("en-US")} rows shown`,
        base: `${round1(median(ms(samples.empty)))} ms`,
        ratio: medianRatio(ms(samples.full), ms(samples.empty)).ratio,
        target: `all ${deliveries.toLocaleString("en-US")} shown; time reported`,
        met: shown === expected,
        rounds,
        detail: {
          load_ms: ms(samples.full).map(round1),
          empty_ms: ms(samples.empty).map(round1),
          rows,
          empty_rows: samples.empty[0].rows,
        },
      },
      {
        what: "inspector: the page's JS heap after that load (after a GC)",
        baseline: "the same page, empty session",
        subject: `${round1(median(heap(samples.full)))} MB`,
        base: `${round1(median(heap(samples.empty)))} MB`,
        ratio: medianRatio(heap(samples.full), heap(samples.empty)).ratio,
        target: "reported",
        met: true,
        rounds,
        detail: {
          dom_nodes: median(samples.full.map((x) => x.domNodes)),
          empty_dom_nodes: median(samples.empty.map((x) => x.domNodes)),
        },
      },
    ];
  } finally {
    await browser.close();
    await stopChild(full.child);
    await stopChild(empty.child);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { cleanupHomes } = await import("./lib/env.mjs");
  try {
    console.log(JSON.stringify(await benchRowLatency({ events: Number(process.argv[2] ?? 20) }), null, 2));
    console.log(JSON.stringify(await benchPageLoad({ rounds: Number(process.argv[3] ?? 1) }), null, 2));
  } finally {
    cleanupHomes();
  }
}
