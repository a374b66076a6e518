// Writing the sandbox's JSON answers.

import type { ServerResponse } from "node:http";

/** Statuses that never carry a body nor, by RFC 9110 §8.6, a Content-Length. */
const NO_BODY = new Set([204, 304]);

export function sendJson(
  res: ServerResponse,
  status: number,
  body?: unknown,
  headers: Record<string, string> = {},
): void {
  if (NO_BODY.has(status)) {
    res.writeHead(status, headers);
    res.end();
    return;
  }
  const text = body === undefined ? "" : typeof body === "string" ? body : JSON.stringify(body);
  const out: Record<string, string> = { ...headers, "Content-Length": String(Buffer.byteLength(text)) };
  if (text) out["Content-Type"] = "application/json";
  res.writeHead(status, out);
  res.end(text);
}
