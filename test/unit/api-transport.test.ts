// The client over real loopback sockets: timeouts, refused connections, redirects to a second server,
// and a canary API key and webhook secret that must never show up in errors or --verbose traces.

import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import type { ServerResponse } from "node:http";
import { after, test } from "node:test";
import { checkBaseUrl } from "../../src/api/base-url.js";
import { ApiError, ApiTimeoutError, NetworkError } from "../../src/api/errors.js";
import { createWebhookApi } from "../../src/api/webhooks.js";
import { UsageError } from "../../src/errors.js";
import { describeFailure } from "../../src/io/exit-codes.js";
import { ManualClock } from "../../src/util/clock.js";
import { type Loopback, type RecordedRequest, startLoopback } from "../helpers/loopback.js";

const servers: Loopback[] = [];

/** A loopback API server; `seen` lists "METHOD path" of every request. Closed after the file. */
async function serve(handler: (req: RecordedRequest, res: ServerResponse) => void) {
  const seen: string[] = [];
  const server = await startLoopback((req, res) => {
    seen.push(`${req.method} ${req.path}`);
    handler(req, res);
  });
  servers.push(server);
  return { url: server.origin, seen, server };
}

after(async () => {
  for (const s of servers) await s.close();
});

function api(
  baseUrl: string,
  extra: { apiKey?: string; timeoutMs?: number; trace?: (l: string) => void } = {},
) {
  return createWebhookApi({
    baseUrl,
    apiKey: extra.apiKey ?? "transport-test-key-0000",
    timeoutMs: extra.timeoutMs ?? 5000,
    userAgent: "certwh/test",
    clock: new ManualClock(),
    trace: extra.trace,
  });
}

test("a server that accepts and never answers → ApiTimeoutError after each of 4 attempts", async () => {
  const { url, seen } = await serve(() => {
    /* never answers */
  });
  const started = performance.now();
  await assert.rejects(api(`${url}/services/v2`, { timeoutMs: 150 }).getWebhook(), (err: unknown) => {
    assert.ok(err instanceof ApiTimeoutError);
    assert.equal(err.host, new URL(url).host);
    assert.equal(err.timeoutMs, 150);
    assert.equal(describeFailure(err).exitCode, 6);
    return true;
  });
  assert.equal(seen.length, 4);
  assert.ok(performance.now() - started < 5000, "the timeout is enforced, not undici's 300 s default");
});

test("a user abort while a request is in flight → the signal's reason at once, no retry", async () => {
  const { url, seen, server } = await serve(() => {
    /* never answers */
  });
  const controller = new AbortController();
  const reason = new Error("interrupted");
  // Abort once the request has reached the server (a fixed delay lost that race on a busy machine).
  void server.waitFor(1).then(() => controller.abort(reason));
  await assert.rejects(
    api(`${url}/services/v2`, { timeoutMs: 10_000 }).getWebhook({ signal: controller.signal }),
    (err: unknown) => err === reason,
  );
  assert.equal(seen.length, 1);
});

test("a closed port → NetworkError naming the host and errno (exit 3)", async () => {
  const { url, server } = await serve((_req, res) => res.end());
  await server.close();
  await assert.rejects(api(`${url}/services/v2`).activate(1), (err: unknown) => {
    assert.ok(err instanceof NetworkError);
    assert.equal(err.errno, "ECONNREFUSED");
    assert.equal(err.host, new URL(url).host);
    assert.equal(describeFailure(err).exitCode, 3);
    return true;
  });
});

test("a 302 to a second server: nothing reaches that server, the call fails clearly", async () => {
  const target = await serve((_req, res) =>
    res.writeHead(200, { "content-type": "application/json" }).end("{}"),
  );
  const api302 = await serve((_req, res) =>
    res.writeHead(302, { location: `${target.url}/services/v2/webhook` }).end(),
  );
  await assert.rejects(api(`${api302.url}/services/v2`).getWebhook(), (err: unknown) => {
    assert.ok(err instanceof ApiError);
    assert.equal(err.status, 302);
    assert.match(describeFailure(err).message, /never follows redirects/);
    return true;
  });
  assert.deepEqual(api302.seen, ["GET /services/v2/webhook"]);
  assert.deepEqual(target.seen, []);
});

test("canary: the API key and the webhook secret never appear in errors or trace lines", async () => {
  const key = `canary-key-${randomBytes(12).toString("hex")}`;
  const secret = `canary-secret-${randomBytes(16).toString("hex")}`;
  const { url } = await serve((req, res) => {
    if (req.path.endsWith("/webhook") && req.method === "GET") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          webhooks: [{ id: 1, endpoint: "https://a.example/h", events: [], status: "active", secret }],
        }),
      );
      return;
    }
    // A hostile or buggy server that echoes the key and the request body back in its error.
    res.writeHead(401, { "content-type": "application/json" });
    res.end(
      JSON.stringify({
        errors: [
          {
            code: "access_denied|invalid_api_key",
            message: `bad key ${req.headers["x-dc-devkey"]} ${req.text}`,
          },
        ],
      }),
    );
  });
  const lines: string[] = [];
  const client = api(`${url}/services/v2`, { apiKey: key, trace: (l) => lines.push(l) });
  const texts: string[] = [];
  const hook = await client.getWebhook();
  assert.equal(hook?.secret, secret, "the library still returns the real secret to its caller");
  for (const attempt of [
    () => client.createWebhook({ endpoint: "https://a.example/h", secret }),
    () => client.testEndpoint({ endpoint: "https://a.example/h", secret }),
    () => client.activate(1),
  ]) {
    await assert.rejects(attempt(), (err: unknown) => {
      const failure = describeFailure(err);
      texts.push(
        String((err as Error).message),
        failure.message,
        failure.hint ?? "",
        String((err as Error).stack),
      );
      return failure.exitCode === 4;
    });
  }
  assert.ok(lines.length >= 8, "requests and responses were traced");
  assert.ok(
    lines.some((l) => l.includes("[redacted]")),
    "the key header is shown as redacted",
  );
  for (const text of [...lines, ...texts]) {
    assert.ok(!text.includes(key), `API key leaked: ${text}`);
    assert.ok(!text.includes(secret), `secret leaked: ${text}`);
  }
});

test("base URL rule: https anywhere, http only on loopback", () => {
  const ok = [
    ["https://www.digicert.com/services/v2/", "https://www.digicert.com/services/v2"],
    ["http://127.0.0.1:8080/services/v2", "http://127.0.0.1:8080/services/v2"],
    ["http://127.9.9.9/x", "http://127.9.9.9/x"],
    ["http://localhost:3000/services/v2", "http://localhost:3000/services/v2"],
    ["http://[::1]:3000/services/v2", "http://[::1]:3000/services/v2"],
  ];
  for (const [input, want] of ok) assert.equal(checkBaseUrl(input!), want);
  for (const bad of [
    "http://example.com/services/v2",
    "http://128.0.0.1/services/v2",
    "http://10.0.0.1/x",
    "http://localhost.evil.com/x",
    "ftp://127.0.0.1/x",
    "not a url",
    "https://user:pw@www.digicert.com/services/v2",
    "https://www.digicert.com/services/v2?x=1",
  ]) {
    assert.throws(() => checkBaseUrl(bad), UsageError, bad);
  }
});

test("canary: a key cut by the trace's length limit or split by an HTML tag is still masked", async () => {
  const key = `edge-${randomBytes(18).toString("hex")}`;
  const half = key.length / 2;
  const bodies = [
    // Straddles the 2,000-character cut of --verbose traces.
    JSON.stringify({ errors: [{ code: "x", message: `${"a".repeat(1930)}${key}` }] }),
    // A tag inside the key: the error snippet drops tags.
    `<html>key ${key.slice(0, half)}<wbr>${key.slice(half)} end</html>`,
  ];
  for (const body of bodies) {
    const { url } = await serve((_req, res) => {
      res.writeHead(400, { "content-type": body.startsWith("{") ? "application/json" : "text/html" });
      res.end(body);
    });
    const lines: string[] = [];
    const client = api(`${url}/services/v2`, { apiKey: key, trace: (l) => lines.push(l) });
    const err = await client.getWebhook().catch((e: unknown) => e);
    const failure = describeFailure(err);
    const seen = [...lines, failure.message, failure.hint ?? ""].join("\n");
    assert.ok(!seen.includes(key.slice(8, 30)), `a recognisable part of the key leaked:\n${seen}`);
  }
});
