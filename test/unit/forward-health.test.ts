// How the forwarder treats a failing app (src/listen/forward-health.ts): failures while the app fails other
// deliveries too do not use up an event's attempts; a down app gets one request at a time; an event the
// otherwise healthy app keeps refusing still gives up after maxAttempts, with the replay hint.
import assert from "node:assert/strict";
import { test } from "node:test";
import { createForwarder, type Delivery, type ForwardResult } from "../../src/listen/forward.js";
import { createTargetHealth } from "../../src/listen/forward-health.js";
import { ManualClock } from "../../src/util/clock.js";
import { startLoopback } from "../helpers/loopback.js";
import { poll } from "../helpers/wait.js";

/** A loopback target; `answer(n, body)` gives the status of the n-th request (1-based). */
async function target(answer: (n: number, body: string) => number) {
  const server = await startLoopback((req, res, n) => {
    const status = answer(n, req.text);
    // A little latency, so concurrent requests really overlap.
    setTimeout(() => res.writeHead(status).end(), 2);
  });
  return {
    url: `${server.origin}/hook`,
    requests: () => server.requests.length,
    maxInFlight: server.maxInFlight,
    resetMaxInFlight: server.resetMaxInFlight,
    close: server.close,
  };
}

const d = (id: string): Delivery => ({
  id,
  event: "certificate_issued",
  body: JSON.stringify({ event: "certificate_issued", id }),
  headers: {},
});

test("health: failures count as broad only when other deliveries fail too; 3 in a row is down", () => {
  const h = createTargetHealth();
  h.record("a", false);
  h.record("a", false);
  assert.equal(h.failingBroadly("a"), false, "one event failing alone is that event's problem");
  assert.equal(h.down, false);
  h.record("a", false);
  assert.equal(h.down, true);
  assert.equal(h.failingBroadly("b"), true, "for another event, three failures of others are broad");
  h.record("b", true);
  assert.equal(h.down, false);
  assert.equal(h.failuresInARow, 0);
  for (let i = 0; i < 10; i++) h.record(`ok${i}`, true);
  assert.equal(h.failingBroadly("b"), false, "only the last 10 answers count");
});

test("an app failing many events at once loses none: broad failures do not use up attempts", async () => {
  // Every event fails twice before the app takes it: with maxAttempts 2, an event would be lost if
  // failures while the app fails other events too were counted against it.
  const tries = new Map<string, number>();
  const t = await target((_n, body) => {
    const id = (JSON.parse(body) as { id: string }).id;
    tries.set(id, (tries.get(id) ?? 0) + 1);
    return (tries.get(id) ?? 0) <= 2 ? 503 : 204;
  });
  const results: ForwardResult[] = [];
  const notices: string[] = [];
  const f = createForwarder({
    url: t.url,
    concurrency: 4,
    // The oldest event probes the down app, so its attempts (up to 4 × this) carry the outage.
    maxAttempts: 5,
    backoffBaseMs: 10,
    backoffMaxMs: 40,
    onResult: (r) => results.push(r),
    onNotice: (m) => notices.push(m),
  });
  try {
    for (let i = 0; i < 60; i++) assert.equal(f.enqueue(d(`e${i}`)), true);
    await f.drain();
    const finals = results.filter((r) => r.final);
    assert.equal(finals.length, 60);
    assert.deepEqual(
      finals.filter((r) => !r.ok).map((r) => [r.id, r.attempt]),
      [],
    );
    assert.ok(
      results.some((r) => !r.final),
      "some attempts failed and were retried",
    );
    assert.deepEqual(
      notices.filter((m) => /Gave up/.test(m)),
      [],
    );
  } finally {
    await f.close();
    await t.close();
  }
});

test("an event the otherwise healthy app keeps refusing gives up after maxAttempts, with a notice", async () => {
  const t = await target((_n, body) => (body.includes('"bad"') ? 500 : 204));
  const results: ForwardResult[] = [];
  const notices: string[] = [];
  const f = createForwarder({
    url: t.url,
    clock: new ManualClock(),
    concurrency: 2,
    maxAttempts: 3,
    onResult: (r) => results.push(r),
    onNotice: (m) => notices.push(m),
  });
  try {
    f.enqueue(d("bad"));
    for (let i = 0; i < 10; i++) f.enqueue(d(`good${i}`));
    await f.drain();
    assert.deepEqual(
      results.filter((r) => r.id === "bad").map((r) => [r.attempt, r.status, r.final]),
      [
        [1, 500, false],
        [2, 500, false],
        [3, 500, true],
      ],
    );
    assert.equal(results.filter((r) => r.ok && r.final).length, 10);
    assert.equal(notices.length, 1);
    assert.match(notices[0] ?? "", /^Gave up forwarding certificate_issued bad \(your app answered 500\)/);
  } finally {
    await f.close();
    await t.close();
  }
});

test("a down app gets one request at a time; once it answers, every event arrives", async () => {
  let healthy = false;
  const t = await target(() => (healthy ? 204 : 503));
  const results: ForwardResult[] = [];
  const notices: string[] = [];
  let maxInFlightWhileDown = 0;
  const f = createForwarder({
    url: t.url,
    concurrency: 4,
    // The oldest event probes the down app, so its attempts (up to 4 × this) carry the outage.
    maxAttempts: 5,
    backoffBaseMs: 10,
    backoffMaxMs: 40,
    onResult: (r) => results.push(r),
    onNotice: (m) => {
      notices.push(m);
      if (/keeps failing/.test(m)) t.resetMaxInFlight();
    },
  });
  try {
    for (let i = 0; i < 5; i++) f.enqueue(d(`e${i}`));
    await poll(() => t.requests() >= 15, { timeoutMs: 5000, intervalMs: 10 });
    maxInFlightWhileDown = t.maxInFlight();
    healthy = true;
    await f.drain();
    assert.ok(t.requests() >= 15);
    assert.ok(maxInFlightWhileDown <= 2, `in flight while down: ${maxInFlightWhileDown}`); // the probe + one ending
    const finals = results.filter((r) => r.final);
    assert.deepEqual(
      finals.map((r) => [r.id, r.ok]).sort(),
      [0, 1, 2, 3, 4].map((i) => [`e${i}`, true]),
    );
    assert.ok(
      finals.some((r) => r.attempt > 5),
      "failures while the app was down did not count against maxAttempts",
    );
    assert.equal(notices.length, 2, notices.join("\n"));
    assert.match(notices[0] ?? "", /^Your app at .* keeps failing \(3 failed deliveries in a row\)/);
    assert.match(notices[1] ?? "", /^Your app at .* answers again/);
  } finally {
    await f.close();
    await t.close();
  }
});

test("after an outage the events reach the app in the order they arrived", async () => {
  // Down for the first 12 requests (every event fails at least once, each with its own retry wait and random
  // jitter before the app counts as down), then up: decided by the request count, not by timing.
  const OUTAGE = 12;
  const delivered: string[] = [];
  const server = await startLoopback((req, res, n) => {
    if (n > OUTAGE) delivered.push((JSON.parse(req.text) as { id: string }).id);
    res.writeHead(n > OUTAGE ? 204 : 503).end();
  });
  const f = createForwarder({
    url: `${server.origin}/hook`,
    concurrency: 1,
    maxAttempts: 5,
    backoffBaseMs: 10,
    backoffMaxMs: 40,
  });
  try {
    const ids = ["e0", "e1", "e2", "e3", "e4", "e5"];
    for (const id of ids) f.enqueue(d(id));
    await f.drain();
    assert.deepEqual(delivered, ids);
  } finally {
    await f.close();
    await server.close();
  }
});

test("health: a row of failures from one delivery alone names it; another delivery's failure clears that", () => {
  const h = createTargetHealth();
  for (let i = 0; i < 3; i++) h.record("a", false);
  assert.equal(h.down, true);
  assert.equal(h.failingAlone, "a");
  h.record("b", false);
  assert.equal(h.failingAlone, undefined);
  h.record("b", true);
  h.record("b", false);
  assert.equal(h.failingAlone, "b");
});

test("one poison event that made the app look down does not hold the next ones for its 20 tries", async () => {
  const t = await target((_n, body) => (body.includes('"bad"') ? 500 : 204));
  const results: ForwardResult[] = [];
  const f = createForwarder({
    url: t.url,
    concurrency: 1,
    maxAttempts: 5,
    backoffBaseMs: 10,
    backoffMaxMs: 40,
    onResult: (r) => results.push(r),
  });
  try {
    f.enqueue(d("bad"));
    // Three failures in a row, all its own: the app looks down.
    await poll(() => t.requests() >= 3, { timeoutMs: 5000 });
    f.enqueue(d("good1"));
    f.enqueue(d("good2"));
    await f.drain();
    const finals = results.filter((r) => r.final).map((r) => [r.id, r.ok]);
    assert.deepEqual(finals, [
      ["good1", true],
      ["good2", true],
      ["bad", false],
    ]);
    const bad = results.filter((r) => r.id === "bad");
    assert.ok(bad.length < 10, `gave up after ${bad.length} tries, not 20`);
  } finally {
    await f.close();
    await t.close();
  }
});
