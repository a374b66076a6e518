// Small HTTP helpers shared by the API server and the admin routes.

import type { IncomingMessage, ServerResponse } from "node:http";
import { sameSecret } from "../util/same-secret.js";

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
