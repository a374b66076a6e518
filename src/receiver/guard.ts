// The receiver's pre-body checks, in the order of reliability-checklist §2 (route and method, source address,
// X-WEBHOOK-KEY, declared length; any Content-Type is accepted: a body is judged by parsing it, spec §17 #19). Each check is a pure function of the request head that returns
// a Rejection or undefined, so the order is visible in one place (handler.ts) and each check is unit-testable.
import * as crypto from "node:crypto";
import type { IncomingMessage } from "node:http";
import { type AddressMatcher, isLoopback } from "../util/cidr.js";

export type RejectReason =
  | "not_found"
  | "method_not_allowed"
  | "forbidden_source"
  | "unauthorized"
  | "payload_too_large"
  | "body_timeout"
  | "bad_request"
  /** onAccept threw: the delivery is NOT acknowledged, so the sender may retry. */
  | "accept_failed"
  /** onAccept refused it for now (503: nowhere to keep it); the sender retries later. */
  | "unavailable"
  /** A bug in the receiver; never caused by request content. */
  | "internal_error"
  /**
   * 500: something in front of the handler (a JSON body parser) read the body and left no raw copy of it:
   * mount the handler before body parsers. The sender may retry once that is fixed.
   */
  | "body_consumed"
  /** The receiver is stopping (`accepting` said no): 503, so the sender retries later. */
  | "stopping"
  /** The client went away before its body ended: nothing was answered (status 0). */
  | "aborted";

export interface Rejection {
  status: number;
  reason: RejectReason;
  /** A short fixed detail for logs (never request data): e.g. `missing`, `mismatch`, `repeated`, `invalid_json`. */
  detail?: string;
  headers?: Record<string, string>;
  /** A fixed response body (never request data) instead of the status's RESPONSE_TEXT. */
  text?: string;
}

/** Fixed response bodies: never derived from the request. */
export const RESPONSE_TEXT: Record<number, string> = {
  200: "ok",
  400: "bad request",
  401: "unauthorized",
  403: "forbidden",
  404: "not found",
  405: "method not allowed",
  408: "request timeout",
  413: "payload too large",
  500: "internal error",
  503: "service unavailable",
};

/**
 * 404 for any other path, 405 + Allow: POST for another method on the hook path. Query strings are ignored.
 * `url` is the request target as the client sent it (Express's `req.originalUrl` under a mount path).
 */
export function checkRoute(
  method: string | undefined,
  url: string | undefined,
  hookPath: string,
): Rejection | undefined {
  // The usual request is the bare hook path: matched before cutting a query string off a copy.
  if (url !== hookPath && (url ?? "").split("?", 1)[0] !== hookPath)
    return { status: 404, reason: "not_found" };
  if (method !== "POST") return { status: 405, reason: "method_not_allowed", headers: { Allow: "POST" } };
  return undefined;
}

export type SourcePolicy =
  | { mode: "any" }
  /** Internet-facing: the socket peer must be in the list; X-Forwarded-For is ignored entirely. */
  | { mode: "direct"; allow: AddressMatcher }
  /**
   * Behind a local tunnel: the peer must be loopback; with `allow`, the LAST X-Forwarded-For entry must match.
   * With `network` (bound to a network address, e.g. in a container) a peer that is not loopback is accepted
   * too, and with `allow` must itself match (whatever X-Forwarded-For it sends is its own claim).
   */
  | { mode: "tunnel"; allow?: AddressMatcher; network?: boolean };

/** 403 from the source check; `detail` says which address failed it. */
const forbidden = (detail: string): Rejection => ({ status: 403, reason: "forbidden_source", detail });

/** The address the source check judged (for reports): the peer, or the last forwarded entry in tunnel mode. */
export function checkSource(
  req: Pick<IncomingMessage, "socket" | "headersDistinct">,
  policy: SourcePolicy,
): Rejection | undefined {
  if (policy.mode === "any") return undefined;
  const peer = req.socket.remoteAddress;
  if (policy.mode === "direct") return policy.allow.allows(peer) ? undefined : forbidden("peer");
  // The usual peer behind a tunnel, answered without building a SocketAddress for the range check.
  if (peer !== "127.0.0.1" && !isLoopback(peer)) {
    if (!policy.network) return forbidden("peer_not_loopback");
    return !policy.allow || policy.allow.allows(peer) ? undefined : forbidden("peer");
  }
  if (!policy.allow) return undefined;
  // The tunnel appends the client it saw; everything before the last entry is whatever the client claimed.
  const forwarded = (req.headersDistinct["x-forwarded-for"] ?? []).join(",").split(",");
  const last = forwarded[forwarded.length - 1]?.trim();
  return policy.allow.allows(last) ? undefined : forbidden("forwarded_for");
}

// crypto.hash is one native call; createHash builds a Hash object per use (2–3× slower).
export function sha256(data: string | Buffer): Buffer {
  return crypto.hash("sha256", data, "buffer");
}

/** Hex SHA-256 (the de-duplication key and, in its first 16 characters, the journal id). */
export function sha256Hex(data: string | Buffer): string {
  return crypto.hash("sha256", data, "hex");
}

type KeyHead = Pick<IncomingMessage, "headersDistinct"> & { rawHeaders?: string[] };

/**
 * Constant-time key check over SHA-256 digests (equal lengths always, so timingSafeEqual never throws, and the
 * secret's length is not revealed). A repeated header is refused: Node would join the values with ", ".
 */
export function checkKey(req: KeyHead, expectedDigest: Buffer | undefined): Rejection | undefined {
  if (!expectedDigest) return undefined;
  const values = keyValues(req);
  if (!values?.[0]) return { status: 401, reason: "unauthorized", detail: "missing" };
  if (values.length > 1) return { status: 401, reason: "unauthorized", detail: "repeated" };
  const ok = crypto.timingSafeEqual(sha256(values[0]), expectedDigest);
  return ok ? undefined : { status: 401, reason: "unauthorized", detail: "mismatch" };
}

/**
 * True when the request carries exactly one X-WEBHOOK-KEY and it matches `digest` (constant time): the
 * previous secret on a handshake delivery while a verification is under way.
 */
export function keyMatches(req: KeyHead, digest: Buffer): boolean {
  const values = keyValues(req);
  return values?.length === 1 && values[0] !== "" && crypto.timingSafeEqual(sha256(values[0]), digest);
}

/**
 * Every X-WEBHOOK-KEY value in arrival order, any name case: what headersDistinct holds for it, read from
 * rawHeaders (which headersDistinct is built from) so the request does not build an array per header.
 */
function keyValues(req: KeyHead) {
  const raw = req.rawHeaders;
  if (!raw) return req.headersDistinct["x-webhook-key"];
  let values: string[] | undefined;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i];
    if (name.length !== 13 || name.toLowerCase() !== "x-webhook-key") continue;
    if (values) values.push(raw[i + 1]);
    else values = [raw[i + 1]];
  }
  return values;
}

/** A declared Content-Length above the cap is refused before any byte of the body is read. */
export function checkDeclaredLength(
  contentLength: string | undefined,
  maxBytes: number,
): Rejection | undefined {
  if (contentLength === undefined) return undefined; // chunked: counted while streaming
  const declared = Number(contentLength);
  if (Number.isFinite(declared) && declared <= maxBytes) return undefined;
  return { status: 413, reason: "payload_too_large", detail: "declared" };
}
