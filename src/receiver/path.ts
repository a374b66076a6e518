import { randomBytes } from "node:crypto";

/**
 * A hook path with a random segment, `/hook/<16 random bytes, base64url>` (reliability-checklist item 4).
 * Defence in depth only: the path is not a secret and is not treated as one.
 */
export function randomHookPath(prefix = "/hook"): string {
  return `${prefix.replace(/\/+$/, "")}/${randomBytes(16).toString("base64url")}`;
}
