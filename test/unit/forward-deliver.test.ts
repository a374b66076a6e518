import assert from "node:assert/strict";
import type { ServerResponse } from "node:http";
import { test } from "node:test";
import {
  backoffDelay,
  createForwarder,
  type Delivery,
  type ForwardResult,
} from "../../src/listen/forward.js";
import { ManualClock } from "../../src/util/clock.js";
import { type RecordedRequest, startLoopback } from "../helpers/loopback.js";

/** A loopback target; `respond` decides each answer. Every request is recorded. */
async function target(respond: (req: RecordedRequest, n: number, res: ServerResponse) => void) {
  const server = await startLoopback((req, res, n) => respond(req, n, res));
  return {
    url: `${server.origin}/hooks/certcentral`,
    port: server.port,
    seen: server.requests,
    close: server.close,
  };
}

const KEY = "k3y-0123456789abcdefghijklmnopqrstuvwxyzABCD";
function delivery(
  id = "abc",
  body: Buffer | string = '{"event":"certificate_issued","data":{"order_id":1}}',
): Delivery {
  return {
    id,
    event: "certificate_issued",
    body,
    headers: {
      "content-type": "application/json; charset=utf-8",
      "user-agent": "DigiCert-Webhook/1.0",
      "x-webhook-key": KEY,
    },
  };
}

test("relays the exact body bytes and the three headers as received", async () => {
  const t = await target((_s, _n, res) => res.writeHead(200).end("ok"));
  const results: ForwardResult[] = [];
  const body = Buffer.from(
    '{ "event" : "certificate_issued", "data": {"order_id": 7, "note": "é\\u00e9"} }\n',
    "utf8",
  );
  const f = createForwarder({ url: t.url, onResult: (r) => results.push(r) });
  try {
    assert.equal(f.enqueue(delivery("one", body)), true);
    await f.drain();
    assert.equal(t.seen.length, 1);
    const s = t.seen[0] as RecordedRequest;
    assert.equal(s.method, "POST");
    assert.equal(s.path, "/hooks/certcentral");
    assert.deepEqual(s.body, body);
    assert.equal(s.headers["content-type"], "application/json; charset=utf-8");
    assert.equal(s.headers["user-agent"], "DigiCert-Webhook/1.0");
    assert.equal(s.headers["x-webhook-key"], KEY);
    assert.equal(results.length, 1);
    assert.deepEqual(
      { ...results[0], ms: 0 },
      {
        id: "one",
        event: "certificate_issued",
        url: t.url,
        attempt: 1,
        ok: true,
        status: 200,
        ms: 0,
        error: undefined,
        final: true,
      },
    );
    assert.equal(JSON.stringify(results).includes(KEY), false);
  } finally {
    await f.close();
    await t.close();
  }
});

test("a target failing twice then recovering is delivered exactly once, after backoff", async () => {
  const t = await target((_s, n, res) => res.writeHead(n <= 2 ? 503 : 204).end());
  const clock = new ManualClock();
  const start = clock.now();
  const results: ForwardResult[] = [];
  const f = createForwarder({ url: t.url, clock, onResult: (r) => results.push(r) });
  try {
    f.enqueue(delivery());
    await f.drain();
    assert.equal(t.seen.length, 3);
    assert.deepEqual(
      results.map((r) => [r.attempt, r.status, r.ok, r.final]),
      [
        [1, 503, false, false],
        [2, 503, false, false],
        [3, 204, true, true],
      ],
    );
    // 0.5 s then 1 s ceilings, half of each fixed and half jittered.
    const [w1, w2] = results.slice(0, 2).map((r) => r.retryInMs as number);
    assert.ok(w1 !== undefined && w1 >= 250 && w1 <= 500, `first wait ${w1}`);
    assert.ok(w2 !== undefined && w2 >= 500 && w2 <= 1000, `second wait ${w2}`);
    assert.equal(clock.now() - start, (w1 as number) + (w2 as number));
  } finally {
    await f.close();
    await t.close();
  }
});

test("backoff grows from 0.5 s and is capped at 8 s", () => {
  const top = () => 0.999999;
  assert.deepEqual(
    [1, 2, 3, 4, 5, 6, 9].map((a) => backoffDelay(a, 500, 8000, top)),
    [500, 1000, 2000, 4000, 8000, 8000, 8000],
  );
  assert.equal(
    backoffDelay(5, 500, 8000, () => 0),
    4000,
  );
});

test("a 3xx is a final failure and the redirect is not followed", async () => {
  const elsewhere = await target((_s, _n, res) => res.writeHead(200).end());
  const t = await target((_s, _n, res) => res.writeHead(302, { location: elsewhere.url }).end());
  const results: ForwardResult[] = [];
  const f = createForwarder({ url: t.url, clock: new ManualClock(), onResult: (r) => results.push(r) });
  try {
    f.enqueue(delivery());
    await f.drain();
    assert.equal(t.seen.length, 1);
    assert.equal(elsewhere.seen.length, 0);
    assert.deepEqual(
      results.map((r) => [r.status, r.ok, r.final]),
      [[302, false, true]],
    );
  } finally {
    await f.close();
    await t.close();
    await elsewhere.close();
  }
});

test("a 4xx is final; 429 and 5xx are retried up to maxAttempts", async () => {
  const statuses = [400];
  const t = await target((_s, _n, res) => res.writeHead(statuses[0] as number).end());
  const results: ForwardResult[] = [];
  const f = createForwarder({
    url: t.url,
    clock: new ManualClock(),
    maxAttempts: 3,
    onResult: (r) => results.push(r),
  });
  try {
    f.enqueue(delivery("a"));
    await f.drain();
    assert.equal(t.seen.length, 1);
    statuses[0] = 429;
    f.enqueue(delivery("b"));
    await f.drain();
    assert.equal(t.seen.length, 4);
    assert.deepEqual(
      results.map((r) => [r.id, r.attempt, r.status, r.final]),
      [
        ["a", 1, 400, true],
        ["b", 1, 429, false],
        ["b", 2, 429, false],
        ["b", 3, 429, true],
      ],
    );
  } finally {
    await f.close();
    await t.close();
  }
});

test("an unreachable target ends in a reported final failure", async () => {
  const t = await target((_s, _n, res) => res.end());
  const url = t.url;
  await t.close(); // nothing listens on that port any more
  const results: ForwardResult[] = [];
  const f = createForwarder({
    url,
    clock: new ManualClock(),
    maxAttempts: 3,
    onResult: (r) => results.push(r),
  });
  try {
    f.enqueue(delivery());
    await f.drain();
    assert.deepEqual(
      results.map((r) => [r.attempt, r.ok, r.final, r.error]),
      [
        [1, false, false, "ECONNREFUSED"],
        [2, false, false, "ECONNREFUSED"],
        [3, false, true, "ECONNREFUSED"],
      ],
    );
  } finally {
    await f.close();
  }
});

test("a target that never answers times out per attempt", async () => {
  const t = await target(() => undefined); // holds every request
  const results: ForwardResult[] = [];
  const f = createForwarder({ url: t.url, maxAttempts: 1, timeoutMs: 200, onResult: (r) => results.push(r) });
  try {
    f.enqueue(delivery());
    await f.drain();
    assert.deepEqual(
      results.map((r) => [r.ok, r.final, r.error]),
      [[false, true, "timeout"]],
    );
  } finally {
    await f.close();
    await t.close();
  }
});
