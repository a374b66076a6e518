import { randomBytes } from "node:crypto";
import { UsageError } from "../errors.js";

/**
 * A hook path with a random segment, `/hook/<16 random bytes, base64url>` (reliability-checklist item 4).
 * Defence in depth only: the path is not a secret and is not treated as one.
 */
export function randomHookPath(prefix = "/hook"): string {
  return `${prefix.replace(/\/+$/, "")}/${randomBytes(16).toString("base64url")}`;
}

/**
 * A UsageError unless `path` is a URL path exactly as a client sends it: a leading "/" (not "//", which a URL
 * reads as another host), no "." or ".." segments, no backslashes, nothing that needs percent-encoding. Any
 * such path is rewritten on the way (by the URL parser of whoever registers or posts to it), so the request
 * would never match, and server.url would not reach the receiver.
 */
export function checkHookPath(path: string): void {
  const sent = URL.parse(path, "http://localhost")?.pathname;
  if (path.startsWith("/") && !path.startsWith("//") && sent === path) return;
  const rewritten = sent !== undefined && sent !== path && path.startsWith("/") && !path.startsWith("//");
  throw new UsageError(
    `The hook path must be a plain URL path starting with "/" (got ${JSON.stringify(path)}): no "//" at the ` +
      'start, no "." or ".." segments, no backslashes, and only characters that need no percent-encoding' +
      (rewritten ? ` (a client would request ${JSON.stringify(sent)} instead).` : "."),
  );
}
