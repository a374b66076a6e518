// The HTTP front of the sandbox: every request under /services/v2 is recorded, then passes through the
// API key check, injected faults (faults.ts), the permission switch, the rate limit, routing and body
// parsing, in that order. Requests under /sandbox/v1 go to the admin routes (admin.ts).
//
// The rate limit is CertCentral's (spec §2.1): rolling windows counted per API key. Only requests that were
// let through count, so a client that backs off for the window gets in again. No Retry-After is sent.

import type { IncomingMessage, ServerResponse } from "node:http";
import type { Clock } from "../util/clock.js";
import { pushBounded } from "../util/keep-newest.js";
import { sameSecret } from "../util/same-secret.js";
import { MAX_BODY_BYTES, type ReadBody, readBody } from "./body.js";
import type { SandboxEngine } from "./engine.js";
import { envelope, SandboxHttpError } from "./envelope.js";
import { applyFault, type FaultQueue } from "./faults.js";
import type { QuirkSet } from "./quirks.js";
import { allowedMethods, matchRoute } from "./routes.js";
import { sendJson } from "./send.js";
import { MAX_RECORDED, type RateLimitOptions, type RecordedRequest } from "./types.js";

export const API_PREFIX = "/services/v2";
export const ADMIN_PREFIX = "/sandbox/v1";

/** Constant-time comparison of the X-DC-DEVKEY header with the sandbox's key. */
export function keyMatches(header: string | string[] | undefined, apiKey: string): boolean {
  if (typeof header !== "string" || header === "") return false;
  return sameSecret(header, apiKey);
}

/** The answer for a body that could not be used, or null when it is JSON (or empty). */
export function bodyProblem(body: ReadBody): SandboxHttpError | null {
  if (body.kind === "too_large") {
    return new SandboxHttpError(
      413,
      "request_too_large",
      `The request body is larger than the sandbox accepts (${MAX_BODY_BYTES} bytes).`,
    );
  }
  if (body.kind === "invalid" && body.xml) return new SandboxHttpError(415, "unsupported_media_type");
  if (body.kind === "invalid") return new SandboxHttpError(400, "bad_request_format");
  return null;
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

export function createHandler(deps: ServerDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    handle(deps, req, res).catch(() => {
      if (!res.headersSent) sendJson(res, 500, envelope("internal_error"));
      else res.destroy();
    });
  };
}

/** The route for a request; HEAD is answered as GET (Node sends the head only), as HTTP servers must. */
function routeFor(method: string, pathname: string) {
  if (!pathname.startsWith(`${API_PREFIX}/`)) return null;
  return matchRoute(method === "HEAD" ? "GET" : method, pathname.slice(API_PREFIX.length));
}

async function handle(deps: ServerDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", "http://sandbox.invalid");
  const method = (req.method ?? "GET").toUpperCase();
  if (url.pathname === ADMIN_PREFIX || url.pathname.startsWith(`${ADMIN_PREFIX}/`)) {
    return deps.admin(req, res, url.pathname.slice(ADMIN_PREFIX.length));
  }

  const match = routeFor(method, url.pathname);
  const body = await readBody(req);
  const record: RecordedRequest = {
    method,
    path: url.pathname,
    route: match?.route.key ?? null,
    query: Object.fromEntries(url.searchParams),
    body: body.kind === "json" ? body.value : body.kind === "invalid" ? body.text : undefined,
    headerNames: Object.keys(req.headers),
    status: null,
    at: deps.clock.now(),
  };
  pushBounded(deps.requests, record, MAX_RECORDED);
  if (body.kind === "aborted") return deps.onRequest?.(record);
  let leftEarly = false;
  res.on("close", () => {
    leftEarly ||= !res.writableFinished;
  });

  // Reported once handled, not when the connection closes: a call whose client left during a delay fault
  // is still carried out (CertCentral cannot know either), and the log says what it did.
  try {
    // The key first: a caller without it gets its 401 and never uses up a fault meant for the test.
    if (!keyMatches(req.headers["x-dc-devkey"], deps.apiKey)) {
      record.body = undefined; // kept only for callers with the key: a stranger's megabyte is not remembered
      throw new SandboxHttpError(401, "access_denied|invalid_api_key");
    }
    const fault = record.route ? deps.faults.take(record.route) : undefined;
    if (fault && (await applyFault(fault, res, record, deps.stopped))) return;
    if (deps.permission === "forbidden") throw new SandboxHttpError(403, "access_denied|missing_permission");
    if (deps.limiter && !deps.limiter.allow(deps.apiKey))
      throw new SandboxHttpError(429, "request_limit_exceeded");
    if (!match) throw notServed(method, url.pathname, deps.engine.quirks);
    const problem = bodyProblem(body);
    if (problem) throw problem;
    const result = await match.route.handle(deps.engine, {
      id: match.id,
      body: body.kind === "json" ? body.value : undefined,
      query: record.query,
    });
    record.status = result.status;
    sendJson(res, result.status, result.json);
  } catch (err) {
    if (!(err instanceof SandboxHttpError)) {
      // createHandler answers 500 (or drops a half-sent answer): the log says that, not what was meant.
      if (!res.headersSent) {
        record.status = 500;
        record.errorCode = "internal_error";
      }
      throw err;
    }
    record.status = err.status;
    record.errorCode = err.code;
    sendJson(res, err.status, envelope(err.code, err.message), err.headers);
  } finally {
    if (record.status !== null && leftEarly) record.clientGone = true;
    deps.onRequest?.(record);
  }
}

/**
 * 405 with Allow for a known path asked with another method; 404 for a path the API does not have, and for
 * GET /webhook/{id}, which spec §17 #3 pins to 404 not_found|route (CertCentral has no such route). DELETE is
 * left out of Allow while a quirk switches the delete extension off.
 */
function notServed(method: string, pathname: string, quirks: QuirkSet): SandboxHttpError {
  const path = pathname.startsWith(`${API_PREFIX}/`) ? pathname.slice(API_PREFIX.length) : null;
  const deleteOff = quirks.has("no-delete-404") || quirks.has("no-delete-405");
  const allowed = path === null ? [] : allowedMethods(path).filter((m) => m !== "DELETE" || !deleteOff);
  const getOne = (method === "GET" || method === "HEAD") && /^\/webhook\/\d+$/.test(path ?? "");
  if (allowed.length === 0 || getOne) return new SandboxHttpError(404, "not_found|route");
  const allow = allowed.includes("GET") ? [...allowed, "HEAD"] : allowed;
  return new SandboxHttpError(
    405,
    "method_not_allowed",
    `${method} is not allowed here; this path takes ${allow.join(", ")}.`,
    { Allow: allow.join(", ") },
  );
}
