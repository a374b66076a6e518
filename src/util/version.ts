import { readFileSync } from "node:fs";

let cached: string | undefined;

/** certwh's version from package.json (same relative path from src/ under tsx and from dist/). */
export function version(): string {
  cached ??= String(JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")).version);
  return cached;
}

export function userAgent(): string {
  return `certwh/${version()}`;
}
