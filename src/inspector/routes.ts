// The inspector's API routes (under /api/) and the small helpers they answer with. server.ts has already
// checked Host, cookie and (for writes) Origin before a route runs; a route only does its own job.

import type { IncomingMessage, ServerResponse } from "node:http";
import { redact } from "../util/redact.js";

export const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Sent with every answer. */
export const BASE_HEADERS: Readonly<Record<string, string>> = {
  "Content-Security-Policy": CSP,
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "X-Frame-Options": "DENY",
  "Cache-Control": "no-store",
};

export interface Route {
  method: "GET" | "POST";
  /** An exact path, or a pattern whose groups the handler receives (e.g. /^\/api\/deliveries\/([0-9a-f]+)$/). */
  path: string | RegExp;
  handle(
    req: IncomingMessage,
    res: ServerResponse,
    params: { url: URL; groups: string[] },
  ): void | Promise<void>;
}

/** The route for this request; "wrong-method" when the path exists under another method. */
export function findRoute(
  routes: readonly Route[],
  method: string,
  pathname: string,
): { route: Route; groups: string[] } | "wrong-method" | undefined {
  let pathKnown = false;
  for (const route of routes) {
    const match = typeof route.path === "string" ? route.path === pathname && [] : route.path.exec(pathname);
    if (!match) continue;
    pathKnown = true;
    const wanted = route.method === "GET" ? method === "GET" || method === "HEAD" : method === route.method;
    if (!wanted) continue;
    return { route, groups: Array.isArray(match) ? match.slice(1) : [] };
  }
  return pathKnown ? "wrong-method" : undefined;
}

export function sendText(res: ServerResponse, status: number, text: string) {
  res.writeHead(status, { ...BASE_HEADERS, "Content-Type": "text/plain; charset=utf-8" });
  res.end(`${text}\n`);
}

/** Redacted as every output of certwh: a password in a --to/--forward-to URL reaches the page as `****`. */
export function sendJson(res: ServerResponse, status: number, value: unknown) {
  res.writeHead(status, { ...BASE_HEADERS, "Content-Type": "application/json; charset=utf-8" });
  res.end(redact(JSON.stringify(value)));
}

/** A JSON error the page shows as it is: { error: "…" }. */
export const sendError = (res: ServerResponse, status: number, message: string) =>
  sendJson(res, status, { error: message });

/** The request's JSON body (at most `limitBytes`), or undefined once a 413 or 400 has been sent. */
export async function readJsonBody(
  req: IncomingMessage,
  res: ServerResponse,
  limitBytes = 64 * 1024,
): Promise<{ value: unknown } | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limitBytes) break;
    chunks.push(chunk);
  }
  if (size > limitBytes) return void sendError(res, 413, `The request body is over ${limitBytes} bytes.`);
  try {
    return { value: JSON.parse(Buffer.concat(chunks).toString("utf8")) };
  } catch {
    return void sendError(res, 400, "The request body is not JSON.");
  }
}
