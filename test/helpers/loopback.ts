// A small HTTP server on 127.0.0.1 that records every request and lets the test decide each answer:
// the webhook endpoint, the --forward-to app, or a stand-in API, as a test needs.
import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { TestContext } from "node:test";
import { Notifier } from "./wait.js";

export interface RecordedRequest {
  method: string;
  /** The request target, e.g. /hook?x=1 */
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The body as UTF-8. */
  text: string;
  /** Parsed JSON, or undefined when the body was not JSON. */
  json: unknown;
}

/** Answers one request, once its body is in; `n` counts requests from 1. Leave `res` alone to hang. */
export type Respond = (req: RecordedRequest, res: ServerResponse, n: number) => void;

export interface Loopback {
  /** http://127.0.0.1:<port> */
  origin: string;
  port: number;
  requests: RecordedRequest[];
  /** Requests that arrived and have not been answered (or dropped) yet, and the most at once. */
  inFlight(): number;
  maxInFlight(): number;
  /** Starts counting maxInFlight again from the requests in flight now. */
  resetMaxInFlight(): void;
  /** Resolves when `n` requests in total have arrived (rejects after `timeoutMs`, default 5 s). */
  waitFor(n: number, timeoutMs?: number): Promise<RecordedRequest[]>;
  close(): Promise<void>;
}

/** Starts a loopback server answering with `respond` (200 "ok" when omitted). Closed in t.after when given t. */
export async function startLoopback(
  respond?: Respond,
  t?: TestContext,
  opts: { keepAliveTimeoutMs?: number } = {},
): Promise<Loopback> {
  const requests: RecordedRequest[] = [];
  const arrivals = new Notifier();
  let inFlight = 0;
  let maxInFlight = 0;
  const server = createServer((req, res) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    res.on("close", () => inFlight--);
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const text = body.toString("utf8");
      const recorded = {
        method: req.method ?? "",
        path: req.url ?? "",
        headers: req.headers,
        body,
        text,
        json: parse(text),
      };
      requests.push(recorded);
      arrivals.notify();
      if (respond) respond(recorded, res, requests.length);
      else res.writeHead(200, { "Content-Type": "text/plain" }).end("ok");
    });
  });
  if (opts.keepAliveTimeoutMs !== undefined) server.keepAliveTimeout = opts.keepAliveTimeoutMs;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  // Unref'd too: a failing after hook (a strict sandbox's checks) makes node:test skip the hooks after it,
  // and a server left listening would keep the test file running.
  server.unref();
  const { port } = server.address() as AddressInfo;
  const loopback: Loopback = {
    origin: `http://127.0.0.1:${port}`,
    port,
    requests,
    inFlight: () => inFlight,
    maxInFlight: () => maxInFlight,
    resetMaxInFlight: () => {
      maxInFlight = inFlight;
    },
    waitFor: (n, timeoutMs = 5000) =>
      arrivals.until(
        () => requests.length >= n && requests,
        timeoutMs,
        () => new Error(`the loopback server got ${requests.length} requests, expected ${n}`),
      ),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  t?.after(() => loopback.close());
  return loopback;
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
