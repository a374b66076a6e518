// The connection gate on a plain node:http server: when full, the oldest socket with no request in flight
// makes room; when every socket is busy, the newcomer is answered 503 + Retry-After: 1 and never reaches the
// handler; the per-peer limit counts each peer's sockets alone; what happened is reported once.
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type TestContext, test } from "node:test";
import { Client } from "undici";
import {
  attachConnectionGate,
  type ConnectionGate,
  type ConnectionLimits,
  type ConnectionReport,
} from "../../src/receiver/connections.js";
import { postFresh } from "../helpers/crowd.js";
import { rawSend } from "../helpers/raw-socket.js";
import { sleep, waitUntil } from "../helpers/wait.js";

interface Harness {
  url: URL;
  port: number;
  gate: ConnectionGate;
  /** Requests the handler saw. */
  seen: IncomingMessage[];
  /** Answers every request held so far (and from now on at once). */
  release(): void;
}

/** A server whose handler holds each request until release() when `hold` is true. */
async function start(t: TestContext, limits: ConnectionLimits, hold = false): Promise<Harness> {
  const seen: IncomingMessage[] = [];
  const held: ServerResponse[] = [];
  let holding = hold;
  const server: Server = createServer((req, res) => {
    seen.push(req);
    req.resume();
    req.once("end", () => (holding ? held.push(res) : res.end("ok\n")));
  });
  const gate = attachConnectionGate(server, limits);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(async () => {
    server.closeAllConnections();
    gate.close();
    await new Promise((resolve) => server.close(resolve));
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: new URL(`http://127.0.0.1:${port}/hook`),
    port,
    gate,
    seen,
    release() {
      holding = false;
      for (const res of held.splice(0)) res.end("ok\n");
    },
  };
}

const partialHead = "POST /hook HTTP/1.1\r\nHost: x\r\n";

test("full: the oldest socket with no request in flight is closed to make room for a new one", async (t) => {
  const h = await start(t, { maxConnections: 2, evictIdleAfterMs: 50 });
  const oldest = rawSend({ port: h.port, chunks: [partialHead], deadlineMs: 4000 });
  await sleep(30);
  const younger = rawSend({ port: h.port, chunks: [partialHead], deadlineMs: 1500 });
  await waitUntil(() => h.gate.open === 2, "two slow sockets admitted");
  await sleep(100);

  const delivery = await postFresh(h.url, "{}", {}, { timeoutMs: 3000 });
  assert.deepEqual("status" in delivery && delivery.status, 200);
  const first = await oldest;
  assert.equal(first.closedByServer, true, "the oldest slow socket was left open");
  assert.equal(first.status, undefined, "an evicted slow socket gets no answer");
  const second = await younger;
  assert.equal(second.closedByServer, false, "the younger slow socket was closed too");
  assert.deepEqual(h.gate.stats, { admitted: 3, shed: 0, evicted: 1 });
});

test("full and every socket busy: the newcomer gets 503 + Retry-After: 1 and never reaches the handler", async (t) => {
  const h = await start(t, { maxConnections: 2 }, true);
  const reports: ConnectionReport[] = [];
  h.gate.onReport((r) => reports.push(r));
  const busy = [postFresh(h.url, "{}", {}), postFresh(h.url, "{}", {})];
  await waitUntil(() => h.seen.length === 2, "two requests in flight");

  const refused = await postFresh(h.url, '{"n":3}', {}, { timeoutMs: 3000 });
  assert.ok("status" in refused, `the refused sender saw a socket error: ${JSON.stringify(refused)}`);
  assert.equal(refused.status, 503);
  assert.equal(refused.retryAfter, "1");
  assert.match(refused.body, /too many connections/);
  assert.equal(h.seen.length, 2, "the refused request reached the handler");

  h.release();
  for (const r of await Promise.all(busy)) assert.deepEqual("status" in r && r.status, 200);
  await waitUntil(() => reports.length > 0, "a report", { timeoutMs: 3000 });
  assert.equal(reports.length, 1);
  assert.equal(reports[0].shed, 1);
  assert.equal(reports[0].evicted, 0);
  assert.equal(reports[0].maxConnections, 2);
});

test("a refused socket that sends nothing is closed after a second, without an answer", async (t) => {
  const h = await start(t, { maxConnections: 1 }, true);
  const busy = postFresh(h.url, "{}", {});
  await waitUntil(() => h.seen.length === 1, "one request in flight");
  const silent = await rawSend({ port: h.port, chunks: [], deadlineMs: 4000 });
  assert.equal(silent.closedByServer, true);
  assert.equal(silent.response, "");
  h.release();
  await busy;
});

test("the per-peer limit counts one peer's sockets: another peer still gets in", async (t) => {
  const h = await start(t, { maxConnections: 100, maxConnectionsPerPeer: 1 }, true);
  const busy = postFresh(h.url, "{}", {}, { localAddress: "127.0.0.1" });
  await waitUntil(() => h.seen.length === 1, "one request in flight");

  const samePeer = await postFresh(h.url, "{}", {}, { localAddress: "127.0.0.1", timeoutMs: 3000 });
  assert.deepEqual("status" in samePeer && [samePeer.status, samePeer.retryAfter], [503, "1"]);
  const otherPeer = postFresh(h.url, "{}", {}, { localAddress: "127.0.0.2", timeoutMs: 3000 });
  await waitUntil(() => h.seen.length === 2, "the other peer's request to arrive");
  h.release();
  assert.deepEqual(await otherPeer.then((r) => "status" in r && r.status), 200);
  await busy;
});

test("maxConnectionsPerPeer 0 turns the per-peer limit off", async (t) => {
  const h = await start(t, { maxConnections: 100, maxConnectionsPerPeer: 0 }, true);
  const all = Array.from({ length: 5 }, () => postFresh(h.url, "{}", {}, { timeoutMs: 3000 }));
  await waitUntil(() => h.seen.length === 5, "five requests from one peer in flight");
  h.release();
  for (const r of await Promise.all(all)) assert.deepEqual("status" in r && r.status, 200);
  assert.equal(h.gate.stats.shed, 0);
});

test("a keep-alive socket between requests is closed for a newcomer only after a second idle", async (t) => {
  const h = await start(t, { maxConnections: 1, evictIdleAfterMs: 50 });
  const client = new Client(h.url.origin, { keepAliveTimeout: 10_000 });
  t.after(() => client.destroy());
  const first = await client.request({ path: "/hook", method: "POST", body: "{}" });
  await first.body.text();
  assert.equal(first.statusCode, 200);
  await sleep(200);

  const early = await postFresh(h.url, "{}", {}, { timeoutMs: 3000 });
  assert.deepEqual("status" in early && early.status, 503, "a keep-alive socket idle 200 ms was closed");
  await sleep(1_000);
  const late = await postFresh(h.url, "{}", {}, { timeoutMs: 3000 });
  assert.deepEqual("status" in late && late.status, 200);
  assert.equal(h.gate.stats.evicted, 1);
});
