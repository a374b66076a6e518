// How the forwarder treats a failing app (src/listen/forward-health.ts): failures while the app fails other
// deliveries too do not use up an event's attempts; a down app gets one request at a time; an event the
// otherwise healthy app keeps refusing still gives up after maxAttempts, with the replay hint.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { createForwarder, type Delivery, type ForwardResult } from "../../src/listen/forward.js";
import { createTargetHealth } from "../../src/listen/forward-health.js";
import { ManualClock } from "../../src/util/clock.js";
import { watchedForwarder } from "../helpers/forwarder.js";
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
  const { f, results, notices } = watchedForwarder({
    url: t.url,
    concurrency: 4,
    // The oldest event probes the down app, so its attempts (up to 4 × this) carry the outage.
    maxAttempts: 5,
    backoffBaseMs: 10,
    backoffMaxMs: 40,
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
  const { f, results, notices } = watchedForwarder({
    url: t.url,
    clock: new ManualClock(),
    concurrency: 2,
    maxAttempts: 3,
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

test("health: one delivery's 5xx while the app took others is not down; an answer after unreachable starts over", () => {
  const h = createTargetHealth();
  h.record("good", true);
  for (let i = 0; i < 3; i++) h.record("bad", false);
  assert.equal(h.down, false, "the app took another event: the failures are that event's");
  assert.equal(h.failingBroadly("bad"), false);
  h.record("other", false);
  assert.equal(h.down, true, "a second delivery failing too: the app is down");

  const u = createTargetHealth();
  for (const id of ["a", "b", "c", "d"]) u.record(id, false, "unreachable");
  assert.equal(u.down, true, "unreachable for several deliveries");
  assert.equal(u.failingBroadly("a"), true);
  u.record("a", false);
  assert.equal(u.down, false, "it answered: up again");
  assert.equal(u.failingAlone, "a");
  assert.equal(u.failingBroadly("a"), false, "failing to reach it says nothing about how it treats events");
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

/** A port nothing listens on yet (a server had it a moment ago), so requests to it are refused. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

test("an app that comes up after refusing connections and fails one event alone lets the others through", async () => {
  const port = await freePort();
  const { f, results, notices } = watchedForwarder({
    url: `http://127.0.0.1:${port}/hook`,
    concurrency: 1,
    maxAttempts: 5,
    backoffBaseMs: 10,
    backoffMaxMs: 40,
  });
  // Once started, the app drops connections until "bad" (the oldest event) probes it, so that event gets
  // its first answer, 500; it takes every other event.
  const sent: string[] = [];
  let up = false;
  const app = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => {
      body += c.toString();
    });
    req.on("end", () => {
      const id = (JSON.parse(body) as { id: string }).id;
      up ||= id === "bad";
      if (!up) return req.socket.destroy();
      sent.push(id);
      res.writeHead(id === "bad" ? 500 : 204).end();
    });
  });
  try {
    for (const id of ["bad", "good1", "good2", "good3"]) f.enqueue(d(id));
    // Refused for every event until the app counts as down; then it starts.
    await poll(() => notices.some((m) => /keeps failing/.test(m)), { timeoutMs: 5000, intervalMs: 5 });
    await new Promise<void>((resolve) => app.listen(port, "127.0.0.1", resolve));
    await f.drain();
    assert.equal(sent[1], "good1", `after the app answered 500, another event probed: ${sent}`);
    assert.deepEqual(
      sent.filter((id) => id !== "bad"),
      ["good1", "good2", "good3"],
    );
    const finals = results.filter((r) => r.final).map((r) => [r.id, r.ok]);
    assert.deepEqual(finals, [
      ["good1", true],
      ["good2", true],
      ["good3", true],
      ["bad", false],
    ]);
    // Its first 500 came while the app still counted as down (not counted); then 5 counted attempts.
    const answered = results.filter((r) => r.id === "bad" && r.status === 500);
    assert.ok(answered.length <= 6, `the app answered "bad" ${answered.length} times, not up to the ceiling`);
    const backAt = notices.findIndex((m) => /answers again/.test(m));
    const gaveUpAt = notices.findIndex((m) => /^Gave up forwarding certificate_issued bad/.test(m));
    assert.ok(backAt !== -1 && backAt < gaveUpAt, notices.join("\n"));
  } finally {
    await f.close();
    await new Promise<void>((resolve) => app.close(() => resolve()));
  }
});

test("a burst with one poison event: no app-down notice, 5 attempts, and a later event goes at once", async () => {
  const t = await target((_n, body) => (body.includes('"bad"') ? 500 : 204));
  const { f, results, notices } = watchedForwarder({
    url: t.url,
    concurrency: 4,
    maxAttempts: 5,
    // Retries of "bad" after 300, 600, 600, 600 ms: the 39 others are all delivered before its 2nd try.
    backoffBaseMs: 400,
    backoffMaxMs: 800,
    random: () => 0.5,
  });
  try {
    for (let i = 0; i < 40; i++) f.enqueue(d(i === 37 ? "bad" : `e${i}`));
    // Its 2nd, 3rd and 4th tries come after the others were delivered: until now, three failures in a row
    // made the app count as down from here on.
    await poll(() => results.some((r) => r.id === "bad" && r.attempt === 4), {
      timeoutMs: 5000,
      intervalMs: 5,
    });
    f.enqueue(d("late"));
    await f.drain();
    // Sent at once, not held behind the poison event's next try (600 ms away; a down app would hold it).
    const lateAt = results.findIndex((r) => r.id === "late" && r.final);
    const badFifthAt = results.findIndex((r) => r.id === "bad" && r.attempt === 5);
    assert.ok(
      lateAt !== -1 && lateAt < badFifthAt,
      `the later event went before "bad"'s 5th try: ${lateAt}, ${badFifthAt}`,
    );
    assert.equal(results.filter((r) => r.final && r.ok).length, 40);
    assert.deepEqual(
      results.filter((r) => r.id === "bad").map((r) => [r.attempt, r.final]),
      [1, 2, 3, 4, 5].map((n) => [n, n === 5]),
    );
    assert.deepEqual(
      notices.filter((m) => !/^Gave up/.test(m)),
      [],
      "no app-down notice while the app takes every other event",
    );
  } finally {
    await f.close();
    await t.close();
  }
});

test("health: one delivery's timeouts while the app took others are its own; with nothing else answered, down", () => {
  const h = createTargetHealth();
  h.record("good", true);
  for (let i = 0; i < 3; i++) h.record("slow", false, "timeout");
  assert.equal(h.down, false, "the app took another event: the timeouts are that event's, like a 5xx");
  assert.equal(h.failingBroadly("slow"), false);
  h.record("other", false, "timeout");
  assert.equal(h.down, true, "a second delivery timing out too: the app is down");

  const n = createTargetHealth();
  for (let i = 0; i < 3; i++) n.record("slow", false, "timeout");
  assert.equal(n.down, true, "nothing else answered: an outage");
  n.record("other", false);
  assert.equal(n.down, false, "it answered: up again");
  assert.equal(n.failingAlone, "other");
  assert.equal(n.failingBroadly("other"), false, "the timeouts of the outage start over too");

  const r = createTargetHealth();
  r.record("good", true);
  for (let i = 0; i < 3; i++) r.record("bad", false, "unreachable");
  assert.equal(r.down, true, "refused or reset is never one event's trouble");
});

test("a slow poison event (the app never answers it, but takes the others) holds nothing and gives up after its attempts", async () => {
  // The app never answers "slow" (the client's timeout ends each try); it takes every other event at once.
  const t = await startLoopback((req, res) => {
    if (!req.text.includes('"slow"')) res.writeHead(204).end();
  });
  const { f, results, notices } = watchedForwarder({
    url: `${t.origin}/hook`,
    concurrency: 1,
    maxAttempts: 5,
    timeoutMs: 200,
    // Retries of "slow" after 300, 600, 600, 600 ms, each then waiting out its 200 ms timeout.
    backoffBaseMs: 400,
    backoffMaxMs: 800,
    random: () => 0.5,
  });
  try {
    f.enqueue(d("good0"));
    f.enqueue(d("slow"));
    // Three timeouts in a row, all its own: until now, the app counted as down from here on, and "slow"
    // probed it alone, holding the next events for its timeout.
    await poll(() => results.some((r) => r.id === "slow" && r.attempt === 3), {
      timeoutMs: 5000,
      intervalMs: 5,
    });
    f.enqueue(d("good1"));
    f.enqueue(d("good2"));
    await f.drain();
    assert.deepEqual(
      results.filter((r) => r.final).map((r) => [r.id, r.ok]),
      [
        ["good0", true],
        ["good1", true],
        ["good2", true],
        ["slow", false],
      ],
    );
    // Sent at once, not behind its next try (600 ms away, then 200 ms more).
    const good2At = results.findIndex((r) => r.id === "good2" && r.final);
    const slowFourthAt = results.findIndex((r) => r.id === "slow" && r.attempt === 4);
    assert.ok(
      good2At < slowFourthAt,
      `the later events went before "slow"'s 4th try: ${good2At}, ${slowFourthAt}`,
    );
    assert.deepEqual(
      results.filter((r) => r.id === "slow").map((r) => [r.attempt, r.error, r.final]),
      [1, 2, 3, 4, 5].map((n) => [n, "timeout", n === 5]),
    );
    assert.deepEqual(
      notices.filter((m) => !/^Gave up/.test(m)),
      [],
      "no app-down notice while the app takes every other event",
    );
    assert.match(
      notices[0] ?? "",
      /^Gave up forwarding certificate_issued slow \(no answer within the time limit/,
    );
  } finally {
    await f.close();
    await t.close();
  }
});

test("an app that answers nothing within the timeout is down, and back once it answers", async () => {
  let answering = false;
  const server = await startLoopback((_req, res) => {
    if (answering) res.writeHead(204).end();
  });
  const { f, results, notices } = watchedForwarder({
    url: `${server.origin}/hook`,
    concurrency: 1,
    maxAttempts: 5,
    timeoutMs: 100,
    backoffBaseMs: 10,
    backoffMaxMs: 40,
  });
  try {
    f.enqueue(d("e0"));
    await poll(() => notices.some((m) => /keeps failing/.test(m)), { timeoutMs: 5000, intervalMs: 5 });
    answering = true;
    await f.drain();
    assert.deepEqual(
      results.filter((r) => r.final).map((r) => [r.id, r.ok]),
      [["e0", true]],
    );
    assert.equal(notices.length, 2, notices.join("\n"));
    assert.match(notices[0] ?? "", /^Your app at .* keeps failing \(3 failed deliveries in a row\)/);
    assert.match(notices[1] ?? "", /^Your app at .* answers again/);
  } finally {
    await f.close();
    await server.close();
  }
});
