// Test helpers around the sandbox: a strict in-process CertCentral, and a loopback endpoint that
// records what the sandbox (or `certwh trigger`) POSTs to it.
import assert from "node:assert/strict";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { TestContext } from "node:test";
import { type Sandbox, type SandboxOptions, startSandbox } from "../../src/sandbox/index.js";
import { Notifier } from "./wait.js";

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

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  text: string;
  /** Parsed JSON, or undefined when the body was not JSON. */
  json: unknown;
}

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
  const received: ReceivedRequest[] = [];
  const arrivals = new Notifier();
  const script: Receiver["script"] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      received.push({ method: req.method ?? "", path: req.url ?? "", headers: req.headers, text, json });
      arrivals.notify();
      const next = script.shift() ?? 200;
      if (next === "hang") return;
      if (next === "drop") return void req.socket.destroy();
      res.writeHead(next, { "Content-Type": "text/plain" }).end(next < 300 ? "ok" : "nope");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  // Closed in t.after; unref'd too, because a failing after hook (withSandbox's strict checks) makes
  // node:test skip the hooks after it, and a receiver left listening would keep the test file running.
  server.unref();
  const { port } = server.address() as AddressInfo;
  const receiver: Receiver = {
    url: `http://127.0.0.1:${port}${path}`,
    received,
    script,
    waitFor(n, timeoutMs = 5000) {
      return arrivals.until(
        () => received.length >= n && received,
        timeoutMs,
        () => new Error(`receiver got ${received.length} requests, expected ${n}`),
      );
    },
    close() {
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
  t?.after(() => receiver.close());
  return receiver;
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
