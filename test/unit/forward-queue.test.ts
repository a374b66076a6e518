import assert from "node:assert/strict";
import type { ServerResponse } from "node:http";
import { test } from "node:test";
import type { Delivery } from "../../src/listen/forward.js";
import { watchedForwarder } from "../helpers/forwarder.js";
import { startLoopback } from "../helpers/loopback.js";
import { sleep, waitUntil } from "../helpers/wait.js";

/** A loopback target that holds every request until the test releases it. */
async function holdingTarget() {
  const held: ServerResponse[] = [];
  const server = await startLoopback((_req, res) => {
    held.push(res);
  });
  return {
    url: `${server.origin}/hook`,
    held,
    stats: () => ({ received: server.requests.length, maxInFlight: server.maxInFlight() }),
    releaseAll(status = 200) {
      for (const res of held.splice(0)) res.writeHead(status).end();
    },
    close: server.close,
  };
}

const until = (cond: () => boolean, what: string) =>
  waitUntil(cond, what, { timeoutMs: 2000, intervalMs: 10 });

const d = (id: string): Delivery => ({
  id,
  event: "certificate_issued",
  body: `{"event":"x","n":"${id}"}`,
  headers: {},
});

test("no more than `concurrency` requests are in flight", async () => {
  const t = await holdingTarget();
  const { f, results } = watchedForwarder({ url: t.url, concurrency: 3 });
  try {
    for (let i = 0; i < 10; i++) assert.equal(f.enqueue(d(String(i))), true);
    await until(() => t.held.length === 3, "3 held requests");
    assert.equal(f.pending, 10);
    // Release in rounds until everything went through.
    for (let round = 0; round < 20 && results.length < 10; round++) {
      t.releaseAll();
      await sleep(20);
    }
    await f.drain();
    assert.equal(results.filter((r) => r.ok && r.final).length, 10);
    assert.deepEqual(t.stats(), { received: 10, maxInFlight: 3 });
  } finally {
    await f.close();
    await t.close();
  }
});

test("without a journal, a full memory queue drops the delivery: a final failure and a warning naming it", async () => {
  const t = await holdingTarget();
  const { f, results, notices } = watchedForwarder({
    url: t.url,
    concurrency: 1,
    queueLimit: 3, // deliveries in memory, the one in flight included
  });
  try {
    assert.equal(f.enqueue(d("in-flight")), true);
    assert.equal(f.enqueue(d("q1")), true);
    assert.equal(f.enqueue(d("q2")), true);
    assert.equal(f.enqueue(d("refused")), false);
    assert.equal(results.length, 1);
    assert.equal(results[0]?.id, "refused");
    assert.equal(results[0]?.final, true);
    assert.match(results[0]?.error ?? "", /queue full \(no journal: the event was dropped\)/);
    assert.equal(notices.length, 2);
    assert.match(
      notices[0] ?? "",
      /Dropped the forward of certificate_issued refused: 3 forward\(s\) already wait/,
    );
    assert.match(notices[1] ?? "", /Gave up forwarding certificate_issued refused .*not journaled/);
    await until(() => t.held.length === 1, "the first request");
    for (let round = 0; round < 20 && results.length < 4; round++) {
      t.releaseAll();
      await sleep(20);
    }
    await f.drain();
    assert.deepEqual(
      results.slice(1).map((r) => [r.id, r.ok]),
      [
        ["in-flight", true],
        ["q1", true],
        ["q2", true],
      ],
    );
  } finally {
    await f.close();
    await t.close();
  }
});

test("the memory budget counts body bytes too", async () => {
  const t = await holdingTarget();
  const big = (id: string): Delivery => ({ ...d(id), body: "x".repeat(600) });
  const { f, results } = watchedForwarder({
    url: t.url,
    concurrency: 1,
    memoryBytes: 1000,
  });
  try {
    // One delivery is always admitted, whatever its size; a second 600 bytes would pass 1000.
    assert.equal(f.enqueue(big("first")), true);
    assert.equal(f.enqueue(big("second")), false);
    assert.equal(f.enqueue(d("small")), true);
    assert.deepEqual(
      results.map((r) => [r.id, r.final, r.error]),
      [["second", true, "forward queue full (no journal: the event was dropped)"]],
    );
    for (let round = 0; round < 20 && results.length < 3; round++) {
      t.releaseAll();
      await sleep(20);
    }
    await f.drain();
    assert.deepEqual(
      results.slice(1).map((r) => [r.id, r.ok]),
      [
        ["first", true],
        ["small", true],
      ],
    );
  } finally {
    await f.close();
    await t.close();
  }
});

test("close() aborts requests in flight and backoffs, reporting each unfinished delivery once", async () => {
  const t = await holdingTarget();
  // A 60 s backoff on the real clock: only close() can end the wait quickly. A delivery waiting for
  // its retry does NOT keep its worker slot, so 2 slots carry 2 new requests while it waits.
  const { f, results, notices } = watchedForwarder({
    url: t.url,
    concurrency: 2,
    backoffBaseMs: 60_000,
  });
  try {
    f.enqueue(d("backing-off"));
    await until(() => t.held.length === 1, "the first request");
    t.releaseAll(503);
    await until(() => results.length === 1, "the 503 result");
    assert.equal(results[0]?.final, false);
    f.enqueue(d("in-flight"));
    f.enqueue(d("queued"));
    f.enqueue(d("queued-2"));
    await until(() => t.held.length === 2, "two held requests");
    const started = Date.now();
    await f.close();
    assert.ok(Date.now() - started < 5000, "close() returned promptly");
    const finals = results.filter((r) => r.final);
    assert.deepEqual(finals.map((r) => r.id).sort(), ["backing-off", "in-flight", "queued", "queued-2"]);
    assert.ok(finals.every((r) => !r.ok && r.error === "forwarder closed"));
    assert.equal(f.enqueue(d("late")), false);
    // One summary for the four unfinished ones (the late one was refused after close), not one per delivery.
    assert.equal(notices.length, 1);
    assert.match(notices[0] ?? "", /^4 forward\(s\) to .* had not finished .* no journal/);
  } finally {
    await f.close();
    await t.close();
  }
});
