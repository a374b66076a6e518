// Slow clients, oversized bodies and bind problems over raw sockets (reliability-checklist items 2, 7, 9, 23).
import assert from "node:assert/strict";
import { connect, createServer, type Socket } from "node:net";
import { after, before, describe, test } from "node:test";
import { UsageError } from "../../src/errors.js";
import { createReceiver } from "../../src/receiver/handler.js";
import type { ReceiverOutcome } from "../../src/receiver/outcomes.js";
import { DEFAULT_LIMITS, type ReceiverServer } from "../../src/receiver/server.js";
import { bytewise, rawSend } from "../helpers/raw-socket.js";
import { poll, sleep } from "../helpers/wait.js";

const SECRET = "limits-secret-0123456789abcdefghijkl";
const PATH = "/hook/limits";
const CAP = 64 * 1024;
const FAST = {
  headersTimeoutMs: 200,
  requestTimeoutMs: 300,
  keepAliveTimeoutMs: 200,
  connectionsCheckingIntervalMs: 50,
};
const head = (extra: string) =>
  `POST ${PATH} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-WEBHOOK-KEY: ${SECRET}\r\n${extra}\r\n`;
const valid = JSON.stringify({ event: "certificate_issued", data: { order_id: 1, certificate_id: 2 } });

async function normalRequest(srv: ReceiverServer, n: number): Promise<number> {
  const res = await fetch(srv.url, {
    method: "POST",
    headers: { "content-type": "application/json", "x-webhook-key": SECRET },
    body: JSON.stringify({ event: "certificate_issued", data: { order_id: n } }),
    signal: AbortSignal.timeout(3000),
  });
  return res.status;
}

describe("receiver limits", () => {
  let srv: ReceiverServer;
  const outcomes: ReceiverOutcome[] = [];
  before(async () => {
    const receiver = createReceiver({ secret: SECRET, path: PATH, maxBodyBytes: CAP, bodyTimeoutMs: 250 });
    receiver.on("outcome", (o) => outcomes.push(o));
    srv = await receiver.listen({ limits: { ...FAST, maxConnections: 20 } });
  });
  after(() => srv.close());

  test("binds 127.0.0.1 by default", () => {
    const address = srv.server.address();
    assert.ok(address && typeof address === "object");
    assert.equal(address.address, "127.0.0.1");
    assert.equal(srv.url.href, `http://127.0.0.1:${srv.port}${PATH}`);
  });

  test("item 9: headers dribbled byte by byte are cut off; another connection is served meanwhile", async () => {
    const slow = rawSend({
      port: srv.port,
      chunks: bytewise(`${head(`X-Padding: ${"a".repeat(200)}\r\nContent-Length: 2\r\n`)}{}`),
      delayMs: 50,
      deadlineMs: 4000,
    });
    await sleep(60);
    assert.equal(await normalRequest(srv, 91), 200);
    const result = await slow;
    assert.equal(result.closedByServer, true);
    assert.ok(result.elapsedMs < 3000, `closed after ${result.elapsedMs} ms`);
    assert.ok(result.status === undefined || result.status === 408, result.response);
  });

  test("item 9: a body at one byte per 50 ms is cut off at the body deadline; another connection is served", async () => {
    const body = valid;
    const slow = rawSend({
      port: srv.port,
      chunks: [head(`Content-Length: ${body.length}\r\n`), ...bytewise(body)],
      delayMs: 50,
      deadlineMs: 4000,
    });
    await sleep(60);
    assert.equal(await normalRequest(srv, 92), 200);
    const result = await slow;
    assert.equal(result.closedByServer, true);
    assert.ok(result.elapsedMs < 3000, `closed after ${result.elapsedMs} ms`);
    assert.equal(result.status, 408);
    assert.ok(outcomes.some((o) => o.type === "rejected" && o.reason === "body_timeout"));
  });

  test("item 9: an idle keep-alive connection is closed", async () => {
    const result = await rawSend({
      port: srv.port,
      chunks: [
        `${head(`Content-Length: ${valid.length}\r\n`)}${JSON.stringify({ event: "test_webhook_endpoint" }).padEnd(valid.length)}`,
      ],
      stopOnResponse: false,
      deadlineMs: 4000,
    });
    assert.equal(result.status, 200);
    assert.equal(result.closedByServer, true);
    assert.ok(result.elapsedMs < 3000, `closed after ${result.elapsedMs} ms`);
  });

  test("item 2: a declared 10 MB body → 413 before reading, connection closed", async () => {
    const result = await rawSend({
      port: srv.port,
      chunks: [head(`Content-Length: ${10 * 1024 * 1024}\r\n`), "{".repeat(1000)],
      deadlineMs: 4000,
    });
    assert.equal(result.status, 413);
    assert.equal(result.closedByServer, true);
    const o = [...outcomes].reverse().find((x) => x.type === "rejected" && x.detail === "declared");
    assert.ok(o && o.type === "rejected" && o.bodyBytes === 0);
  });

  test("item 2: a chunked body streamed past the cap → 413, at most cap + one chunk read, connection closed", async () => {
    const piece = "a".repeat(8 * 1024);
    const chunk = `${piece.length.toString(16)}\r\n${piece}\r\n`;
    const result = await rawSend({
      port: srv.port,
      chunks: [head("Transfer-Encoding: chunked\r\n"), ...Array.from({ length: 128 }, () => chunk)], // 1 MiB
      delayMs: 2,
      deadlineMs: 4000,
    });
    assert.equal(result.status, 413);
    assert.equal(result.closedByServer, true);
    assert.ok(result.bytesWritten < 1024 * 1024, "the server kept reading the whole body");
    const o = [...outcomes].reverse().find((x) => x.type === "rejected" && x.detail === "streamed");
    assert.ok(o && o.type === "rejected");
    assert.ok(o.bodyBytes > CAP && o.bodyBytes <= CAP + 64 * 1024, `read ${o.bodyBytes}`);
  });

  test("item 2: a length that lies (shorter than sent) never mixes requests; longer than sent times out", async () => {
    const short = await rawSend({
      port: srv.port,
      chunks: [`${head("Content-Length: 5\r\n")}${valid}`],
      deadlineMs: 4000,
      stopOnResponse: false,
    });
    assert.equal(short.status, 400);
    const long = await rawSend({
      port: srv.port,
      chunks: [`${head("Content-Length: 500\r\n")}${valid}`],
      deadlineMs: 4000,
    });
    assert.equal(long.status, 408);
    assert.equal(long.closedByServer, true);
  });

  test("a client that goes away mid-body is reported as aborted (no status: nothing was answered) and nothing breaks", async () => {
    const gone = await rawSend({
      port: srv.port,
      chunks: [`${head("Content-Length: 100\r\n")}{"event"`],
      deadlineMs: 80,
    });
    assert.equal(gone.status, undefined);
    const aborted = () => outcomes.find((o) => o.type === "rejected" && o.reason === "aborted");
    await poll(() => aborted() !== undefined, { timeoutMs: 500, intervalMs: 10 });
    const o = aborted();
    assert.ok(o && o.type === "rejected");
    assert.deepEqual([o.status, o.detail, o.bodyBytes], [0, undefined, 8]);
    assert.equal(await normalRequest(srv, 94), 200);
  });

  test("malformed HTTP never crashes the server", async () => {
    for (const junk of [
      "GARBAGE\r\n\r\n",
      "POST / HTTP/1.1\r\nContent-Length: abc\r\n\r\n",
      "\x00\x01\x02\r\n\r\n",
    ]) {
      const r = await rawSend({ port: srv.port, chunks: [junk], deadlineMs: 2000 });
      assert.equal(r.closedByServer, true);
    }
    assert.equal(await normalRequest(srv, 93), 200);
  });
});

describe("server helper", () => {
  test("maxConnections: with every socket busy a newcomer is answered 503 + Retry-After, not reset", async () => {
    const receiver = createReceiver({ secret: SECRET, path: PATH, bodyTimeoutMs: 1500 });
    const srv = await receiver.listen({ limits: { maxConnections: 2 } });
    try {
      // Two deliveries whose bodies are slow to come: requests in flight, so nothing can be evicted.
      const busy = [1, 2].map(() =>
        rawSend({
          port: srv.port,
          chunks: [head("Content-Length: 2\r\n"), "{"],
          delayMs: 100,
          deadlineMs: 3000,
        }),
      );
      await poll(() => receiver.inFlight === 2, { timeoutMs: 2000 });
      assert.equal(receiver.inFlight, 2);
      const third = await rawSend({
        port: srv.port,
        chunks: [`${head("Content-Length: 2\r\n")}{}`],
        deadlineMs: 3000,
      });
      assert.equal(third.status, 503);
      assert.match(third.head, /\r\nRetry-After: 1\r\n/i);
      assert.equal(third.closedByServer, true);
      assert.equal(srv.connections.stats.shed, 1);
      await Promise.all(busy);
    } finally {
      await srv.close();
    }
  });

  test("item 23: a port in use → UsageError naming the port", async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", r));
    const port = (blocker.address() as { port: number }).port;
    try {
      const receiver = createReceiver({ secret: SECRET });
      await assert.rejects(receiver.listen({ port }), (err: unknown) => {
        assert.ok(err instanceof UsageError);
        assert.equal(err.exitCode, 2);
        assert.match(err.message, new RegExp(`Port ${port}\\b`));
        return true;
      });
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });

  test("a limit given as undefined keeps its hardened default, like a limit left out", async () => {
    const receiver = createReceiver({ secret: SECRET, path: PATH });
    const srv = await receiver.listen({
      limits: {
        headersTimeoutMs: undefined,
        requestTimeoutMs: undefined,
        keepAliveTimeoutMs: undefined,
        connectionsCheckingIntervalMs: undefined,
        maxHeadersCount: undefined,
        maxConnections: undefined,
      },
    });
    try {
      assert.equal(srv.server.headersTimeout, DEFAULT_LIMITS.headersTimeoutMs);
      assert.equal(srv.server.requestTimeout, DEFAULT_LIMITS.requestTimeoutMs);
      assert.equal(srv.server.keepAliveTimeout, DEFAULT_LIMITS.keepAliveTimeoutMs);
      assert.equal(srv.server.maxHeadersCount, DEFAULT_LIMITS.maxHeadersCount);
      assert.equal(await normalRequest(srv, 92), 200);
    } finally {
      await srv.close();
    }
  });

  test("behind a tunnel an undefined per-peer limit stays off: the tunnel's loopback peer is every sender", async () => {
    const receiver = createReceiver({ secret: SECRET, path: PATH, trustTunnel: true });
    const srv = await receiver.listen({
      limits: { maxConnectionsPerPeer: undefined, evictIdleAfterMs: 60_000 },
    });
    const idle: Socket[] = [];
    try {
      const perPeerDefault = DEFAULT_LIMITS.maxConnectionsPerPeer;
      for (let i = 0; i < perPeerDefault; i++) {
        const socket = connect(srv.port, "127.0.0.1");
        socket.on("error", () => undefined);
        idle.push(socket);
      }
      assert.ok(await poll(() => srv.connections.open === perPeerDefault, { timeoutMs: 5000 }));
      assert.equal(await normalRequest(srv, 93), 200);
      assert.equal(srv.connections.stats.shed, 0);
    } finally {
      for (const socket of idle) socket.destroy();
      await srv.close();
    }
  });

  test("close() ends open keep-alive connections and is idempotent", async () => {
    const receiver = createReceiver({ secret: SECRET, path: PATH });
    const srv = await receiver.listen();
    const hanging = rawSend({ port: srv.port, chunks: ["POST /x HTTP/1.1\r\n"], deadlineMs: 3000 });
    await sleep(50);
    await Promise.all([srv.close(), srv.close()]);
    const r = await hanging;
    assert.equal(r.closedByServer, true);
    assert.ok(r.elapsedMs < 2000);
  });
});
