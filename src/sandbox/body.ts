// Reading a request body for the API and admin routes: JSON only, at most MAX_BODY_BYTES.

import type { IncomingMessage } from "node:http";

export const MAX_BODY_BYTES = 1024 * 1024;
/**
 * After a body crosses the limit, the rest is read and dropped (so the client can read the 413 instead of
 * a reset, which closing with unread bytes would send), for at most this long and this much; then the
 * connection is closed.
 */
const DRAIN_MS = 10_000;
const DRAIN_BYTES = 64 * 1024 * 1024;

export type ReadBody =
  /** Parsed JSON; undefined for an empty body. */
  | { kind: "json"; value: unknown }
  /** Not JSON (the raw text is kept for the request record); `xml` when the Content-Type says XML. */
  | { kind: "invalid"; text: string; xml: boolean }
  | { kind: "too_large" }
  /** The client went away before the end. */
  | { kind: "aborted" };

/** application/xml, text/xml, application/…+xml. */
function declaresXml(req: IncomingMessage): boolean {
  const type = (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  return /^(application|text)\/([\w.-]+\+)?xml$/.test(type);
}

/** Reads and drops the rest of a body, closing the connection once DRAIN_MS or DRAIN_BYTES is reached. */
function drain(req: IncomingMessage): void {
  let dropped = 0;
  const timer = setTimeout(() => req.socket.destroy(), DRAIN_MS).unref();
  req.on("data", (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > DRAIN_BYTES) req.socket.destroy();
  });
  req.once("close", () => clearTimeout(timer));
  req.resume();
}

export function readBody(req: IncomingMessage): Promise<ReadBody> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (result: ReadBody) => {
      if (settled) return;
      settled = true;
      req.off("data", onData);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) return void chunks.push(chunk);
      chunks.length = 0;
      settle({ kind: "too_large" });
      drain(req);
    };
    req.on("data", onData);
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      if (text.trim() === "") return settle({ kind: "json", value: undefined });
      if (declaresXml(req)) return settle({ kind: "invalid", text, xml: true });
      try {
        settle({ kind: "json", value: JSON.parse(text) });
      } catch {
        settle({ kind: "invalid", text, xml: false });
      }
    });
    req.on("error", () => settle({ kind: "aborted" }));
    req.on("close", () => settle({ kind: "aborted" }));
  });
}
