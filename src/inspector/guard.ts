// Who may talk to the inspector: a browser on this computer that opened the printed URL (token → cookie).
// The Host check defeats DNS rebinding, the Origin check cross-site writes, and no CORS header is ever sent.

import { randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";

export const newSecret = () => randomBytes(24).toString("base64url");

/** The Host values a browser sends for this server: DNS names pointing here (rebinding) are refused. */
export function hostAllowed(host: string | undefined, port: number): boolean {
  return host === `127.0.0.1:${port}` || host === `localhost:${port}`;
}

/** The value of cookie `name` in the request, or undefined. */
export function cookieValue(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** Only a page the inspector served may write: its Origin is the origin of the Host it talked to. */
export function sameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  return origin !== undefined && origin === `http://${req.headers.host}`;
}

export const SAFE_METHODS = new Set(["GET", "HEAD"]);
