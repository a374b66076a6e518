// Reads a request body under a byte cap and a deadline (reliability-checklist items 2 and 9). Bytes are
// counted as they arrive (chunked bodies included) and reading stops at the first chunk that crosses the cap,
// so at most cap + one chunk is ever held in memory.
import type { IncomingMessage } from "node:http";
import type { DeadlineQueue } from "./deadlines.js";
import type { Rejection } from "./guard.js";

type BodyResult =
  | { ok: true; body: Buffer }
  | { ok: false; rejection: Rejection; bytesRead: number }
  /** The client went away; nobody is left to answer. */
  | { ok: false; rejection?: undefined; bytesRead: number; aborted: true };

/** What Express, Fastify and their plugins may leave on the request after reading its body. */
type FrameworkRequest = IncomingMessage & { rawBody?: unknown; body?: unknown };

/** The answer when a body parser took the body and left no raw copy: say where the handler belongs. */
export const BODY_CONSUMED: Rejection = {
  status: 500,
  reason: "body_consumed",
  detail: "mount_before_body_parser",
  text:
    "internal error: the request body was read before the CertCentral webhook handler ran; mount the " +
    "handler before any JSON body parser (or give it the raw body, e.g. express.raw())\n",
};

/** The answer when a body parser left a string decoded from another charset: its bytes cannot be recovered. */
const STRING_NOT_UTF8: Rejection = {
  ...BODY_CONSUMED,
  detail: "string_body_not_utf8",
  text:
    "internal error: a body parser decoded the request body from a charset other than UTF-8 before the " +
    "CertCentral webhook handler ran, so its bytes are lost; mount the handler before express.text() (or give " +
    "it the raw body, e.g. express.raw() or req.rawBody)\n",
};

/** The charset the request declares (lower case, unquoted), if any: what express.text() decoded with. */
function declaredCharset(req: IncomingMessage): string | undefined {
  const match = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(req.headers["content-type"] ?? "");
  return match?.[1]?.toLowerCase();
}

/**
 * A Buffer (or other bytes) as it is; a string as UTF-8, which gives back the bytes sent only when they
 * were decoded as UTF-8 (no charset declared, or utf-8), else undefined; anything else (a parsed object)
 * is no raw body.
 */
function rawBytes(value: unknown, charset: string | undefined): Buffer | "not_utf8" | undefined {
  if (typeof value === "string") {
    if (charset !== undefined && charset !== "utf-8" && charset !== "utf8") return "not_utf8";
    return Buffer.from(value, "utf8");
  }
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  return undefined;
}

/**
 * The body a framework already read, as raw bytes: `req.rawBody` (raw-body plugins), or `req.body` as a
 * Buffer (express.raw()) or a string (express.text(), UTF-8 only). A parsed object cannot be used: the
 * body is handed on as the exact bytes received, and re-serialising would change them; nor can a string
 * decoded from another charset (e.g. latin1 makes "é" of UTF-8 "Ã©" and re-encodes it differently).
 */
function bodyReadBefore(req: FrameworkRequest, maxBytes: number): BodyResult {
  const charset = declaredCharset(req);
  for (const value of [req.rawBody, req.body]) {
    const body = rawBytes(value, charset);
    if (body === "not_utf8") return { ok: false, bytesRead: 0, rejection: STRING_NOT_UTF8 };
    if (!body) continue;
    if (body.length > maxBytes) {
      const rejection: Rejection = { status: 413, reason: "payload_too_large", detail: "streamed" };
      return { ok: false, bytesRead: body.length, rejection };
    }
    return { ok: true, body };
  }
  return { ok: false, bytesRead: 0, rejection: BODY_CONSUMED };
}

/**
 * `deadlines` holds the receiver's body deadline (the time allowed from this call to the last byte). A body
 * that something in front of the handler already read is taken from what it left (see bodyReadBefore):
 * waiting on the spent stream would never end, and the sender would get no answer at all.
 */
export function readBody(
  req: IncomingMessage,
  maxBytes: number,
  deadlines: DeadlineQueue,
): Promise<BodyResult> {
  if (req.readableEnded || req.readableDidRead) return Promise.resolve(bodyReadBefore(req, maxBytes));
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let bytesRead = 0;
    let done = false;

    const finish = (result: BodyResult) => {
      if (done) return;
      done = true;
      deadlines.cancel(deadline);
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onAbort);
      req.off("close", onAbort);
      // Stop pulling bytes from the socket; the handler closes the connection after answering.
      if (!result.ok) req.pause();
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      bytesRead += chunk.length;
      if (bytesRead > maxBytes) {
        finish({
          ok: false,
          bytesRead,
          rejection: { status: 413, reason: "payload_too_large", detail: "streamed" },
        });
        return;
      }
      chunks.push(chunk);
    };
    // A body that came in one chunk (the usual webhook) is used as it is, without a copy.
    const onEnd = () =>
      finish({ ok: true, body: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, bytesRead) });
    const onAbort = () => finish({ ok: false, bytesRead, aborted: true });
    const deadline = deadlines.add(() =>
      finish({ ok: false, bytesRead, rejection: { status: 408, reason: "body_timeout" } }),
    );

    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onAbort);
    req.on("close", onAbort);
  });
}
