// Issue 11, cases 2 and 15, against the receiver library's own server (receiver.listen, default limits unless
// a test says otherwise): 1,000 senders at once see no socket error; past the limit with every socket busy a
// sender is answered 503 + Retry-After and gets through by retrying; a peer outside the source allowlist
// holding slow sockets does not shut allowlisted senders out, and its complete requests are refused as soon
// as their headers arrive.
import assert from "node:assert/strict";
import { type TestContext, test } from "node:test";
import { Pool } from "undici";
import { createReceiver } from "../../src/receiver/handler.js";
import type { ReceiverOutcome } from "../../src/receiver/outcomes.js";
import { type FreshResult, holdSlowSockets, inParallel, postFresh } from "../helpers/crowd.js";
import { rawSend } from "../helpers/raw-socket.js";
import { sleep, waitUntil } from "../helpers/wait.js";

const SECRET = "connections-secret-0123456789abcdefghij";
const PATH = "/hook/connections";
const body = (orderId: number) =>
  JSON.stringify({ event: "certificate_issued", data: { order_id: orderId, certificate_id: 1 } });

function orderIds(accepted: ReceiverOutcome[]): number[] {
  return accepted
    .map((o) => (o.type === "accepted" ? (o.event.data as { order_id?: number }).order_id : undefined))
    .filter((id): id is number => id !== undefined)
    .sort((a, b) => a - b);
}

/** Each result is a 200, or a 503 that says when to retry; never a socket error or another status. */
function assertWellAnswered(results: FreshResult[]): void {
  const bad = results.filter(
    (r) => !("status" in r) || !(r.status === 200 || (r.status === 503 && r.retryAfter === "1")),
  );
  assert.deepEqual(bad.slice(0, 5), [], `${bad.length} of ${results.length} senders answered badly`);
}

/** 1,000 senders each holding a keep-alive connection (like a load generator), one delivery each. */
async function thousandSenders(t: TestContext, options: { trustTunnel: boolean }) {
  const accepted: ReceiverOutcome[] = [];
  const receiver = createReceiver({ secret: SECRET, path: PATH, ...options });
  receiver.on("accepted", (o) => accepted.push(o));
  const srv = await receiver.listen();
  t.after(() => srv.close());
  const pool = new Pool(srv.origin, { connections: 1_000, pipelining: 1, keepAliveTimeout: 10_000 });
  t.after(() => pool.destroy());
  let peakOpen = 0;
  const sampler = setInterval(() => {
    peakOpen = Math.max(peakOpen, srv.connections.open);
  }, 5);
  t.after(() => clearInterval(sampler));

  const results = await inParallel(1_000, 1_000, async (i): Promise<FreshResult> => {
    try {
      const res = await pool.request({
        path: PATH,
        method: "POST",
        headers: { "content-type": "application/json", "x-webhook-key": SECRET },
        body: body(i + 1),
        signal: AbortSignal.timeout(25_000),
      });
      const text = await res.body.text();
      const retryAfter = res.headers["retry-after"];
      return {
        status: res.statusCode,
        retryAfter: typeof retryAfter === "string" ? retryAfter : undefined,
        body: text,
      };
    } catch (error) {
      return { error: (error as NodeJS.ErrnoException).code ?? String(error) };
    }
  });
  clearInterval(sampler);
  assertWellAnswered(results);
  const ok = results.flatMap((r, i) => ("status" in r && r.status === 200 ? [i + 1] : []));
  assert.deepEqual(orderIds(accepted), ok, "the deliveries answered 200 are exactly those accepted");
  return { srv, results, peakOpen };
}

test("case 15: 1,000 connections through a tunnel (loopback peers) are all admitted, never a socket error", async (t) => {
  const { srv, results, peakOpen } = await thousandSenders(t, { trustTunnel: true });
  assert.ok(peakOpen > 64, `never more than ${peakOpen} connections open at once`);
  // Under the default limit (1,024), and no per-peer limit behind a tunnel: nobody turned away.
  assert.equal(srv.connections.stats.shed, 0);
  assert.equal(results.filter((r) => "status" in r && r.status === 200).length, 1_000);
});

test("case 15: 1,000 connections from one peer (per-peer limit 64) get 200 or 503 + Retry-After, never a socket error", async (t) => {
  const { srv, results } = await thousandSenders(t, { trustTunnel: false });
  const shed = results.filter((r) => "status" in r && r.status === 503).length;
  assert.equal(shed, srv.connections.stats.shed);
});

test("past the limit with every socket busy: 503 + Retry-After: 1, and senders that retry all get through", async (t) => {
  const accepted: ReceiverOutcome[] = [];
  const receiver = createReceiver({
    secret: SECRET,
    path: PATH,
    // A slow journal: every admitted request stays in flight for a while.
    onAccept: () => sleep(150),
  });
  receiver.on("accepted", (o) => accepted.push(o));
  const srv = await receiver.listen({ limits: { maxConnections: 40 } });
  t.after(() => srv.close());
  const shedReported: number[] = [];
  srv.connections.onReport((r) => shedReported.push(r.shed));

  const firstTries: FreshResult[] = [];
  const results = await inParallel(200, 200, async (i) => {
    let result: FreshResult = { error: "never sent" };
    for (let attempt = 0; attempt < 15; attempt++) {
      result = await postFresh(srv.url, body(i + 1), { "x-webhook-key": SECRET }, { timeoutMs: 10_000 });
      if (attempt === 0) firstTries.push(result);
      if (!("status" in result) || result.status !== 503) break;
      await sleep(Number(result.retryAfter) * 1000);
    }
    return result;
  });
  assertWellAnswered(firstTries);
  assert.ok(
    firstTries.some((r) => "status" in r && r.status === 503),
    "nobody was turned away: the limit was never reached",
  );
  assert.deepEqual(
    results.filter((r) => !("status" in r) || r.status !== 200),
    [],
    "a sender did not get through",
  );
  assert.deepEqual(
    orderIds(accepted),
    Array.from({ length: 200 }, (_, i) => i + 1),
  );
  await waitUntil(() => shedReported.length > 0, "the shed connections to be reported", { timeoutMs: 3000 });
  assert.equal(
    shedReported.reduce((a, b) => a + b, 0),
    srv.connections.stats.shed,
  );
});

test("case 2 with a source allowlist: a peer outside it holding 200 slow sockets does not shut allowlisted senders out", async (t) => {
  const outcomes: ReceiverOutcome[] = [];
  const receiver = createReceiver({ secret: SECRET, path: PATH, sourceAllowlist: ["127.0.0.1/32"] });
  receiver.on("outcome", (o) => outcomes.push(o));
  const srv = await receiver.listen();
  t.after(() => srv.close());
  const url = srv.url;

  // 127.0.0.2 is another loopback peer: over its own limit (64), its oldest slow sockets make room for its newer ones.
  const slow = holdSlowSockets({ url, count: 64, localAddress: "127.0.0.2" });
  t.after(() => slow.stop());
  await waitUntil(() => slow.open === 64, "64 slow sockets from 127.0.0.2", { timeoutMs: 5000 });
  await sleep(300);
  // Its complete requests (valid key, a body announced and never sent) are refused from the headers alone;
  // at its limit, one of its idle slow sockets makes room for it.
  const head =
    `POST ${PATH} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-WEBHOOK-KEY: ${SECRET}\r\n` +
    "Content-Length: 100000\r\n\r\n";
  const outsider = await rawSend({
    port: srv.port,
    localAddress: "127.0.0.2",
    chunks: [head],
    deadlineMs: 3000,
  });
  assert.equal(outsider.status, 403);
  assert.equal(outsider.closedByServer, true);
  const forbidden = outcomes.find((o) => o.type === "rejected" && o.reason === "forbidden_source");
  assert.ok(forbidden?.type === "rejected" && forbidden.bodyBytes === 0, "the body was read before refusing");

  const moreSlow = holdSlowSockets({ url, count: 136, localAddress: "127.0.0.2" });
  t.after(() => moreSlow.stop());
  await waitUntil(
    () => moreSlow.opened === 136 && moreSlow.open + moreSlow.closedByServer >= 136,
    "136 more",
    {
      timeoutMs: 5000,
    },
  );

  const results = await inParallel(40, 10, (i) =>
    postFresh(url, body(i + 1), { "x-webhook-key": SECRET }, { localAddress: "127.0.0.1", timeoutMs: 5000 }),
  );
  assert.deepEqual(
    results.filter((r) => !("status" in r) || r.status !== 200),
    [],
    "an allowlisted delivery was not answered 200",
  );
  assert.ok(slow.closedByServer > 0, "none of 127.0.0.2's older slow sockets was closed for its newer ones");
  assert.ok(srv.connections.open <= 64 + 10, `${srv.connections.open} sockets open`);
});
