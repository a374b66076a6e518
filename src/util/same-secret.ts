import { createHash, timingSafeEqual } from "node:crypto";

const digest = (value: string) => createHash("sha256").update(value, "utf8").digest();

/**
 * Constant-time equality over SHA-256 digests: equal lengths always, so timingSafeEqual never throws and the
 * secret's length is not revealed. A missing value never matches. (The receiver keeps its own check: it
 * compares against a digest made once, on every delivery.)
 */
export function sameSecret(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  return timingSafeEqual(digest(given), digest(expected));
}
