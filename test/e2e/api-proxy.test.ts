// API calls through HTTPS_PROXY / HTTP_PROXY / NO_PROXY. The CLI reaches https://api.certwh.test through a
// strict local CONNECT proxy that records every request and tunnels to a TLS front (test CA in
// test/fixtures/tls) of the real sandbox; nothing resolves or leaves 127.0.0.1. Loopback is always direct,
// redirects are never followed, and the proxy never sees the API key or prints its own password.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { type AddressInfo, connect, createServer, type Socket } from "node:net";
import { type TestContext, test } from "node:test";
import { createServer as createTlsServer } from "node:tls";
import { fileURLToPath } from "node:url";
import { request } from "undici";
import { apiDispatcher } from "../../src/api/dispatcher.js";
import type { Sandbox } from "../../src/sandbox/index.js";
import { runCli } from "../helpers/cli.js";
import { startLoopback } from "../helpers/loopback.js";
import { call, startReceiver, withSandbox } from "../helpers/sandbox.js";

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/tls/${name}`, import.meta.url));
const CA = fixture("ca.pem");
const HOST = "api.certwh.test";
const BASE = `https://${HOST}/services/v2`;

interface Connect {
  /** The request line, e.g. "CONNECT api.certwh.test:443 HTTP/1.1". */
  line: string;
  /** The header block as received (may hold Proxy-Authorization). */
  head: string;
  /** Everything the client sent into the tunnel (TLS records). */
  tunnelled: Buffer[];
}

/**
 * A CONNECT proxy on 127.0.0.1 that tunnels `api.certwh.test:443` to `upstreamPort` on 127.0.0.1 (or refuses
 * with `refuse`). Anything else (a plain proxied request, another host) is recorded as unexpected and
 * fails the test afterwards.
 */
async function startProxy(t: TestContext, upstreamPort: number, refuse?: number) {
  const connects: Connect[] = [];
  const unexpected: string[] = [];
  let connections = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    connections++;
    sockets.add(client);
    client.on("close", () => sockets.delete(client));
    client.on("error", () => undefined);
    let buffered = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf("\r\n\r\n");
      if (end < 0) return;
      client.off("data", onData);
      const head = buffered.subarray(0, end).toString("latin1");
      const rest = buffered.subarray(end + 4);
      const line = head.split("\r\n")[0] ?? "";
      if (line !== `CONNECT ${HOST}:443 HTTP/1.1`) {
        unexpected.push(line);
        client.end("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
        return;
      }
      const record: Connect = { line, head, tunnelled: rest.length > 0 ? [rest] : [] };
      connects.push(record);
      if (refuse) {
        client.end(`HTTP/1.1 ${refuse} Refused\r\nContent-Length: 0\r\n\r\n`);
        return;
      }
      const upstream = connect(upstreamPort, "127.0.0.1", () => {
        client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
        if (rest.length > 0) upstream.write(rest);
        client.on("data", (c: Buffer) => record.tunnelled.push(c));
        client.pipe(upstream).pipe(client);
      });
      upstream.on("error", () => client.destroy());
      sockets.add(upstream);
      upstream.on("close", () => sockets.delete(upstream));
    };
    client.on("data", onData);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  t.after(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => server.close(resolve));
    assert.deepEqual(unexpected, [], "requests the proxy did not expect");
  });
  return { url: `http://127.0.0.1:${port}`, port, connects, connections: () => connections };
}

/** HTTPS for api.certwh.test on 127.0.0.1 (the test CA's certificate), passed through to the sandbox. */
async function startTlsFront(t: TestContext, sandbox: Sandbox): Promise<number> {
  const backend = Number(new URL(sandbox.url).port);
  const sockets = new Set<Socket>();
  const server = createTlsServer(
    { key: readFileSync(fixture("server.key")), cert: readFileSync(fixture("server.pem")) },
    (tlsSocket) => {
      const plain = connect(backend, "127.0.0.1");
      for (const s of [tlsSocket, plain]) {
        sockets.add(s);
        s.on("close", () => sockets.delete(s));
        s.on("error", () => undefined);
      }
      tlsSocket.pipe(plain).pipe(tlsSocket);
    },
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  return (server.address() as AddressInfo).port;
}

async function setup(t: TestContext, refuse?: number) {
  const sandbox = await withSandbox(t);
  const proxy = await startProxy(t, await startTlsFront(t, sandbox), refuse);
  const env = { CERTWH_BASE_URL: BASE, CERTWH_API_KEY: sandbox.apiKey, NODE_EXTRA_CA_CERTS: CA };
  return { sandbox, proxy, env };
}

function assertKeyNeverSeen(proxy: { connects: Connect[] }, key: string): void {
  for (const c of proxy.connects) {
    assert.equal(c.head.includes(key), false, "the key is not in the CONNECT request");
    assert.equal(
      Buffer.concat(c.tunnelled).includes(key),
      false,
      "the key does not cross the tunnel in clear",
    );
  }
}

test("HTTPS_PROXY: API calls go through a CONNECT tunnel to the host; the proxy never sees the key", async (t) => {
  const { sandbox, proxy, env } = await setup(t);
  const rx = await startReceiver(t);
  assert.equal((await call(sandbox, "POST", "/webhook", { endpoint: rx.url })).status, 201);
  const upper = await runCli(["status", "--json"], { env: { ...env, HTTPS_PROXY: proxy.url } });
  assert.equal(upper.code, 0, upper.stderr);
  assert.equal((JSON.parse(upper.stdout) as { endpoint?: string }).endpoint, rx.url);
  assert.equal(proxy.connects.length, 1, "HTTPS_PROXY was used");
  const lower = await runCli(["status", "--json"], { env: { ...env, https_proxy: proxy.url } });
  assert.equal(lower.code, 0, lower.stderr);
  assert.equal(proxy.connects.length, 2, "https_proxy was used");

  assert.deepEqual(
    sandbox.requests.map((r) => r.route),
    ["POST /webhook", "GET /webhook", "GET /webhook"],
  );
  assert.ok(sandbox.requests.slice(1).every((r) => r.headerNames.includes("x-dc-devkey")));
  assertKeyNeverSeen(proxy, sandbox.apiKey);
});

test("a loopback base URL is reached directly, whatever HTTP_PROXY/HTTPS_PROXY say", async (t) => {
  const { sandbox, proxy } = await setup(t);
  const res = await runCli(["status", "--json"], {
    env: {
      CERTWH_BASE_URL: sandbox.url,
      CERTWH_API_KEY: sandbox.apiKey,
      HTTP_PROXY: proxy.url,
      HTTPS_PROXY: proxy.url,
      http_proxy: proxy.url,
    },
  });
  assert.equal(res.code, 5, res.stderr); // no webhook yet: the sandbox answered, directly
  assert.equal(proxy.connections(), 0, "nothing reached the proxy");
  assert.deepEqual(
    sandbox.requests.map((r) => r.route),
    ["GET /webhook"],
  );
});

test("a redirect through the proxy is still not followed", async (t) => {
  const { sandbox, proxy, env } = await setup(t);
  const elsewhere = await startLoopback(undefined, t);
  sandbox.inject("GET /webhook", { redirect: `${elsewhere.origin}/steal` });
  const res = await runCli(["status"], { env: { ...env, HTTPS_PROXY: proxy.url } });
  assert.equal(res.code, 3, res.stderr);
  assert.match(res.stderr, /never follows redirects/);
  assert.deepEqual(elsewhere.requests, [], "the Location was not visited");
  assert.equal(sandbox.requests.length, 1);
  assertKeyNeverSeen(proxy, sandbox.apiKey);
});

test("a proxy that refuses the tunnel: exit 3, the proxy's password never printed", async (t) => {
  const { sandbox, proxy, env } = await setup(t, 407);
  const password = "pr0xy-pass-9f8e7d";
  const res = await runCli(["status", "--verbose"], {
    env: {
      ...env,
      HTTPS_PROXY: `http://alice:${password}@127.0.0.1:${proxy.port}`,
      CERTWH_REQUEST_TIMEOUT: "5",
    },
  });
  assert.equal(res.code, 3, res.stderr);
  assert.ok(
    res.stderr.includes(`The proxy http://127.0.0.1:${proxy.port} refused the tunnel to ${HOST} (HTTP 407).`),
    res.stderr,
  );
  assert.doesNotMatch(res.stderr, /retrying/, "a refusal is not retried");
  assert.equal(res.stderr.includes(password), false, res.stderr);
  assert.equal(res.stdout.includes(password), false);
  assert.equal(proxy.connects.length, 1);
  const auth = /proxy-authorization: basic (\S+)/i.exec(proxy.connects[0]!.head)?.[1];
  assert.equal(
    Buffer.from(auth ?? "", "base64").toString(),
    `alice:${password}`,
    "credentials went to the proxy",
  );
  assert.equal(sandbox.requests.length, 0);
});

test("a proxy that answers in plain HTTP inside the tunnel is named, not the API (no http:// advice)", async (t) => {
  // The tunnel leads to a plain HTTP server: what an intercepting proxy's own page looks like to TLS.
  const page = await startLoopback((_req, res) => res.writeHead(403).end("blocked by policy"), t);
  const proxy = await startProxy(t, page.port);
  const res = await runCli(["status"], {
    env: {
      CERTWH_BASE_URL: BASE,
      CERTWH_API_KEY: "proxy-test-key-0123456789",
      HTTPS_PROXY: proxy.url,
      CERTWH_REQUEST_TIMEOUT: "5",
    },
  });
  assert.equal(res.code, 3, res.stderr);
  assert.match(
    res.stderr,
    new RegExp(
      `The proxy http://127\\.0\\.0\\.1:${proxy.port} answered in plain HTTP inside the tunnel to ${HOST}`,
    ),
  );
  assert.match(res.stderr, /Check the proxy \(HTTPS_PROXY \/ HTTP_PROXY\), or list the host in NO_PROXY/);
  assert.doesNotMatch(res.stderr, /use http:\/\//);
});

test("NO_PROXY: a listed host is reached directly, others through the proxy (the dispatcher in-process)", async (t) => {
  const { sandbox, proxy } = await setup(t);
  const direct = await startLoopback((_req, res) => res.writeHead(204).end(), t);
  // The name resolves to 127.0.0.1 here only: no DNS query leaves the machine.
  const lookup = (_host: string, opts: { all?: boolean }, cb: (...args: unknown[]) => void) =>
    opts.all ? cb(null, [{ address: "127.0.0.1", family: 4 }]) : cb(null, "127.0.0.1", 4);
  const env = { HTTP_PROXY: proxy.url, NO_PROXY: `localhost,.certwh.test` };
  const target = new URL(`http://${HOST}:${direct.port}/ping`);
  const dispatcher = await apiDispatcher(target, env, { connect: { lookup } as never });
  assert.ok(dispatcher, "a proxy is configured");
  const res = await request(target, { dispatcher });
  await res.body.dump();
  assert.equal(res.statusCode, 204);
  assert.equal(direct.requests.length, 1, "reached directly");
  assert.equal(proxy.connections(), 0);
  assert.equal(await apiDispatcher(new URL(sandbox.url), env), undefined, "loopback: no dispatcher, direct");
  assert.equal(await apiDispatcher(target, {}), undefined, "no proxy set: direct");
});
