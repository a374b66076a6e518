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

/** `deadlines` holds the receiver's body deadline (the time allowed from this call to the last byte). */
export function readBody(
  req: IncomingMessage,
  maxBytes: number,
  deadlines: DeadlineQueue,
): Promise<BodyResult> {
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
