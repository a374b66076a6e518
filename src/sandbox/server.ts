// The HTTP front of the sandbox: every request under /services/v2 is recorded, then passes through
// injected faults, the API key check, the permission switch, the rate limit, routing and body parsing,
// in that order. Requests under /sandbox/v1 go to the admin routes (admin.ts).
//
// Injected faults are scripted answers for the next calls of a route (reliability checklist: 429, 5xx,
// delays, drops, redirects), each consumed by exactly one call, in the order injected. The rate limit is
// CertCentral's (spec §2.1): rolling windows counted per API key. Only requests that were let through count,
// so a client that backs off for the window gets in again. No Retry-After is sent.

import type { IncomingMessage, ServerResponse } from "node:http";
import { setTimeout as delay } from "node:timers/promises";
import type { Clock } from "../util/clock.js";
import { pushBounded } from "../util/keep-newest.js";
import { sameSecret } from "../util/same-secret.js";
import type { SandboxEngine } from "./engine.js";
import { codeForStatus, envelope, SandboxHttpError } from "./envelope.js";
import { matchRoute, ROUTE_KEYS } from "./routes.js";
import { type Fault, MAX_RECORDED, type RateLimitOptions, type RecordedRequest } from "./types.js";

export const API_PREFIX = "/services/v2";
export const ADMIN_PREFIX = "/sandbox/v1";

const MAX_BODY_BYTES = 1024 * 1024;

interface ReadBody {
  /** Parsed JSON; undefined for an empty body; the raw text when it is not JSON. */
  value: unknown;
  /** Not JSON, too large, or not read whole. */
  badJson: boolean;
}

export function readBody(req: IncomingMessage): Promise<ReadBody> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const unreadable = () => resolve({ value: undefined, badJson: true });
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.destroy();
        unreadable();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      if (text.trim() === "") return resolve({ value: undefined, badJson: false });
      try {
        resolve({ value: JSON.parse(text), badJson: false });
      } catch {
        resolve({ value: text, badJson: true });
      }
    });
    req.on("error", unreadable);
  });
}

/** Constant-time comparison of the X-DC-DEVKEY header with the sandbox's key. */
export function keyMatches(header: string | string[] | undefined, apiKey: string): boolean {
  if (typeof header !== "string" || header === "") return false;
  return sameSecret(header, apiKey);
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body?: unknown,
  headers: Record<string, string> = {},
): void {
  const text = body === undefined ? "" : typeof body === "string" ? body : JSON.stringify(body);
  const out: Record<string, string> = { ...headers, "Content-Length": String(Buffer.byteLength(text)) };
  if (text) out["Content-Type"] = "application/json";
  res.writeHead(status, out);
  res.end(text);
}

export class FaultQueue {
  private readonly queue: { route: string; fault: Fault }[] = [];

  add(route: string, faults: Fault[]): void {
    const key = normalizeRoute(route);
    if (!ROUTE_KEYS.includes(key)) {
      throw new Error(`Unknown sandbox route "${route}"; use one of: ${ROUTE_KEYS.join(", ")}`);
    }
    for (const fault of faults) this.queue.push({ route: key, fault });
  }

  /** The next fault for this route, removed from the queue. */
  take(route: string): Fault | undefined {
    const i = this.queue.findIndex((f) => f.route === route);
    return i < 0 ? undefined : this.queue.splice(i, 1)[0].fault;
  }

  pending(): { route: string; fault: Fault }[] {
    return this.queue.map((f) => ({ ...f }));
  }
}

/** "put /webhook/{webhook_id}/activate" → "PUT /webhook/:id/activate". */
export function normalizeRoute(route: string): string {
  const [method = "", path = ""] = route.trim().split(/\s+/, 2);
  const clean = path
    .replace(/^\/services\/v2/, "")
    .replace(/\{[^}]+\}|:[a-z_]+|\/\d+(?=\/|$)/gi, (m) => (m.startsWith("/") ? "/:id" : ":id"));
  return `${method.toUpperCase()} ${clean}`;
}

const LONG_WINDOW = { limit: 1000, windowMs: 3 * 60 * 1000 };

export class RateLimiter {
  private readonly hits = new Map<string, number[]>();
  private readonly windows: { limit: number; windowMs: number }[];

  constructor(
    private readonly clock: Clock,
    opts: RateLimitOptions = {},
  ) {
    this.windows = [{ limit: opts.burst ?? 100, windowMs: opts.windowMs ?? 5000 }];
    if (opts.longWindow) this.windows.push(LONG_WINDOW);
  }

  /** true when the request may pass (and is then counted). */
  allow(key: string): boolean {
    const now = this.clock.now();
    const longest = Math.max(...this.windows.map((w) => w.windowMs));
    const times = (this.hits.get(key) ?? []).filter((t) => t > now - longest);
    const blocked = this.windows.some((w) => times.filter((t) => t > now - w.windowMs).length >= w.limit);
    if (!blocked) times.push(now);
    this.hits.set(key, times);
    return !blocked;
  }
}

interface ServerDeps {
  engine: SandboxEngine;
  apiKey: string;
  clock: Clock;
  faults: FaultQueue;
  limiter: RateLimiter | null;
  permission: "ok" | "forbidden";
  requests: RecordedRequest[];
  /** Aborted by stop(): a call held by a delay fault is then dropped, never carried out afterwards. */
  stopped: AbortSignal;
  onRequest?: (request: RecordedRequest) => void;
  admin(req: IncomingMessage, res: ServerResponse, path: string): Promise<void>;
}

/** Applies a fault; returns true when the request was answered (or dropped) by it. */
async function applyFault(
  fault: Fault,
  res: ServerResponse,
  record: RecordedRequest,
  stopped: AbortSignal,
): Promise<boolean> {
  if ("delayMs" in fault) {
    const held = await delay(fault.delayMs, false, { signal: stopped }).catch(() => true);
    if (held) res.socket?.destroy();
    return held;
  }
  if ("drop" in fault) {
    res.socket?.destroy();
    return true;
  }
  if ("redirect" in fault) {
    record.status = 302;
    res.writeHead(302, { Location: fault.redirect, "Content-Length": "0" });
    res.end();
    return true;
  }
  const code = codeForStatus(fault.status);
  record.status = fault.status;
  if (fault.body === undefined) record.errorCode = code;
  sendJson(
    res,
    fault.status,
    fault.body ?? envelope(code),
    fault.retryAfter ? { "Retry-After": fault.retryAfter } : {},
  );
  return true;
}

export function createHandler(deps: ServerDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    handle(deps, req, res).catch(() => {
      if (!res.headersSent) sendJson(res, 500, envelope("internal_error"));
      else res.destroy();
    });
  };
}

async function handle(deps: ServerDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", "http://sandbox.invalid");
  const method = (req.method ?? "GET").toUpperCase();
  if (url.pathname === ADMIN_PREFIX || url.pathname.startsWith(`${ADMIN_PREFIX}/`)) {
    return deps.admin(req, res, url.pathname.slice(ADMIN_PREFIX.length));
  }

  const inApi = url.pathname.startsWith(`${API_PREFIX}/`);
  const match = inApi ? matchRoute(method, url.pathname.slice(API_PREFIX.length)) : null;
  const body = await readBody(req);
  const record: RecordedRequest = {
    method,
    path: url.pathname,
    route: match?.route.key ?? null,
    query: Object.fromEntries(url.searchParams),
    body: body.value,
    headerNames: Object.keys(req.headers),
    status: null,
    at: deps.clock.now(),
  };
  pushBounded(deps.requests, record, MAX_RECORDED);
  res.on("close", () => deps.onRequest?.(record));

  if (record.route) {
    const fault = deps.faults.take(record.route);
    if (fault && (await applyFault(fault, res, record, deps.stopped))) return;
  }
  try {
    if (!keyMatches(req.headers["x-dc-devkey"], deps.apiKey)) {
      record.body = undefined; // kept only for callers with the key: a stranger's megabyte is not remembered
      throw new SandboxHttpError(401, "access_denied|invalid_api_key");
    }
    if (deps.permission === "forbidden") throw new SandboxHttpError(403, "access_denied|missing_permission");
    if (deps.limiter && !deps.limiter.allow(deps.apiKey))
      throw new SandboxHttpError(429, "request_limit_exceeded");
    if (!match) throw new SandboxHttpError(404, "not_found|route");
    if (body.badJson) throw new SandboxHttpError(400, "bad_request_format");
    const result = await match.route.handle(deps.engine, {
      id: match.id,
      body: body.value,
      query: record.query,
    });
    record.status = result.status;
    sendJson(res, result.status, result.json);
  } catch (err) {
    if (!(err instanceof SandboxHttpError)) throw err;
    record.status = err.status;
    record.errorCode = err.code;
    sendJson(res, err.status, envelope(err.code, err.message), err.headers);
  }
}
