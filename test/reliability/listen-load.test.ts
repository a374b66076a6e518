// Load with faults (issue 5): 10,000 events at concurrency 50 through `certwh listen --sandbox --json` with
// the journal on, while the --forward-to target fails every other request. Every event answered 200 is in the
// journal exactly once; and once the target has recovered, every one reaches it LIVE, exactly once, within a
// bounded time, with one successful final forward result each: no refusal, no give-up, no replay needed.
// (Beyond the forwarder's memory budget the bodies wait in the journal: src/listen/forward-backlog.ts.)
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { readJournal } from "../helpers/journal.js";
import { startLoopback } from "../helpers/loopback.js";
import { poll } from "../helpers/wait.js";
import { type Line, orderIdOf, postEvents, startListen } from "./listen-support.js";

const EVENTS = 10_000;
const CONCURRENCY = 50;

interface Target {
  url: string;
  /** order_id → deliveries answered 200 */
  delivered: Map<number, number>;
  requests: number;
  healthy: boolean;
  close(): Promise<void>;
}

/** The app behind --forward-to: answers 503 to every other request until it is healthy again. */
async function startFlakyTarget(): Promise<Target> {
  const target: Target = {
    url: "",
    delivered: new Map(),
    requests: 0,
    healthy: false,
    close: async () => undefined,
  };
  const server = await startLoopback(
    (req, res) => {
      target.requests++;
      if (!target.healthy && target.requests % 2 === 0) {
        res.writeHead(503).end("down");
        return;
      }
      const orderId = orderIdOf(req.text);
      if (orderId !== undefined) target.delivered.set(orderId, (target.delivered.get(orderId) ?? 0) + 1);
      res.writeHead(200).end("ok");
    },
    undefined,
    { keepAliveTimeoutMs: 10_000 },
  ); // the forwarder's pool keeps connections through the load
  target.url = `${server.origin}/webhooks`;
  target.close = server.close;
  return target;
}

const finalForwards = (lines: Line[]) => lines.filter((l) => l.type === "forward" && l.final === true);

/** Peak resident memory of a Linux process in MiB (VmHWM), when /proc tells. */
function peakRssMiB(pid: number | undefined): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
    return kb ? Math.round(Number(kb) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

test(`${EVENTS} events at concurrency ${CONCURRENCY}, journal on, forward target failing half the time`, async (t) => {
  const target = await startFlakyTarget();
  t.after(() => target.close());
  const listen = await startListen(t, ["--forward-to", target.url]);

  const started = Date.now();
  const load = await postEvents(listen.url, listen.secret, {
    count: EVENTS,
    concurrency: CONCURRENCY,
    firstOrderId: 1,
    timeoutMs: 90_000,
  });
  const loadMs = Date.now() - started;
  assert.deepEqual(load.failed, [], "deliveries not answered 200");
  assert.equal(load.ok.length, EVENTS);
  const liveBeforeRecovery = target.delivered.size;
  target.healthy = true;

  // Every event reaches the recovered target live, within a bounded time (no replay).
  const recovered = Date.now();
  const allFinal = () => finalForwards(listen.lines).length >= EVENTS;
  await poll(() => target.delivered.size >= EVENTS && allFinal(), { timeoutMs: 30_000, intervalMs: 100 });
  const catchUpMs = Date.now() - recovered;
  const missing = load.ok.filter((orderId) => !target.delivered.has(orderId));
  assert.deepEqual(
    missing.slice(0, 20),
    [],
    `${missing.length} events never reached the recovered target live`,
  );
  const twice = [...target.delivered].filter(([, n]) => n !== 1);
  assert.deepEqual(twice.slice(0, 20), [], "events delivered more than once");

  // One event line and exactly one final forward result per event, every one a success.
  const issued = (l: Line) => l.type === "event" && l.event === "certificate_issued";
  assert.equal(listen.lines.filter(issued).length, EVENTS, "one event line per accepted delivery");
  const finals = finalForwards(listen.lines);
  assert.equal(finals.length, EVENTS, "one final forward result per event");
  assert.equal(
    new Set(finals.map((l) => String(l.id))).size,
    EVENTS,
    "an event got two final forward results",
  );
  const failedFinals = finals.filter((l) => l.ok !== true);
  assert.deepEqual(failedFinals.slice(0, 5), [], `${failedFinals.length} forwards ended in failure`);

  // The journal: every event answered 200, exactly once; nothing unreadable.
  const journal = await readJournal(listen.journal);
  assert.deepEqual(journal.skipped, []);
  const journaled = new Map<number, number>();
  for (const entry of journal.entries) {
    const orderId = orderIdOf(entry.body);
    if (orderId !== undefined) journaled.set(orderId, (journaled.get(orderId) ?? 0) + 1);
  }
  for (const orderId of load.ok)
    assert.equal(journaled.get(orderId), 1, `order ${orderId} journaled ×${journaled.get(orderId) ?? 0}`);
  assert.equal(journaled.size, EVENTS);

  const peak = peakRssMiB(listen.child.pid);
  listen.child.kill("SIGTERM");
  const exit = await listen.exited();
  assert.equal(exit.code, 143, `listen exit: ${JSON.stringify(exit)}\n${listen.stderr().slice(-1000)}`);
  // Nothing was pending at the stop, so no "had not finished" summary.
  const warnings = listen.lines.filter((l) => l.type === "warning").map((l) => String(l.message));
  assert.deepEqual(
    warnings.filter((m) => /had not finished|Gave up|Dropped/.test(m)),
    [],
    "unexpected forward warnings",
  );

  const retries = listen.lines.filter((l) => l.type === "forward" && l.final === false).length;
  t.diagnostic(
    `load ${loadMs} ms; delivered live before recovery ${liveBeforeRecovery}, all ${EVENTS} live ` +
      `${catchUpMs} ms after recovery; retries ${retries}; target requests ${target.requests}; ` +
      `warnings ${warnings.length}; listen peak RSS ${peak ?? "?"} MiB`,
  );
});
