// Test helpers around the sandbox: a strict in-process CertCentral, and a loopback endpoint that
// records what the sandbox (or `certwh trigger`) POSTs to it.
import assert from "node:assert/strict";
import type { TestContext } from "node:test";
import { type Sandbox, type SandboxOptions, startSandbox } from "../../src/sandbox/index.js";
import { type RecordedRequest, startLoopback } from "./loopback.js";

/**
 * Start a sandbox for this test; stop it afterwards and fail the test when a request hit an unknown
 * route or an injected fault was never used (a strict fake).
 */
export async function withSandbox(t: TestContext, opts: SandboxOptions = {}): Promise<Sandbox> {
  const sandbox = await startSandbox(opts);
  t.after(async () => {
    await sandbox.stop();
    const unknown = sandbox.unknownRoutes().map((r) => `${r.method} ${r.path}`);
    assert.deepEqual(unknown, [], "requests to routes the sandbox does not serve");
    assert.deepEqual(sandbox.pendingFaults(), [], "injected faults that were never used");
  });
  return sandbox;
}

export type ReceivedRequest = RecordedRequest;

export interface Receiver {
  /** e.g. http://127.0.0.1:41234/hook */
  url: string;
  received: ReceivedRequest[];
  /** Status (or "hang" to never answer, "drop" to destroy the socket) for the next requests, then 200. */
  script: (number | "hang" | "drop")[];
  /** Resolves when `n` requests in total have arrived (rejects after `timeoutMs`). */
  waitFor(n: number, timeoutMs?: number): Promise<ReceivedRequest[]>;
  close(): Promise<void>;
}

/** A loopback HTTP endpoint answering 200 unless scripted otherwise. Closed in t.after when given t. */
export async function startReceiver(t?: TestContext, path = "/hook"): Promise<Receiver> {
  const script: Receiver["script"] = [];
  const server = await startLoopback((_req, res) => {
    const next = script.shift() ?? 200;
    if (next === "hang") return;
    if (next === "drop") return void res.socket?.destroy();
    res.writeHead(next, { "Content-Type": "text/plain" }).end(next < 300 ? "ok" : "nope");
  }, t);
  return {
    url: `${server.origin}${path}`,
    received: server.requests,
    script,
    waitFor: server.waitFor,
    close: server.close,
  };
}

/** A small client for tests: one API call with the sandbox's key, JSON in and out. */
export async function call(
  sandbox: Pick<Sandbox, "url" | "apiKey">,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, string>; text: string; json: unknown }> {
  const res = await fetch(`${sandbox.url}${path}`, {
    method,
    redirect: "manual",
    headers: { "X-DC-DEVKEY": sandbox.apiKey, "Content-Type": "application/json", ...headers },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: Object.fromEntries(res.headers), text, json };
}

/**
 * Has the in-process sandbox of `listen --sandbox --json` deliver `event` (its ready line carries the
 * sandbox's URL and key), through the sandbox's admin emit route.
 */
export async function emitThroughListen(
  ready: Record<string, unknown>,
  data: Record<string, unknown>,
  event = "certificate_issued",
): Promise<void> {
  const res = await fetch(new URL("/sandbox/v1/emit", String(ready.sandbox_url)), {
    method: "POST",
    headers: { "x-dc-devkey": String(ready.sandbox_api_key), "content-type": "application/json" },
    body: JSON.stringify({ event, data }),
  });
  assert.equal(res.status, 200, await res.text());
}
