import { createRequire } from "node:module";

let cached: string | undefined;

/**
 * certwh's version from its package.json, found by the package's own name through the exports map's
 * "./package.json": the same from src/ under tsx, from dist/ and from any chunk of the bundle.
 */
export function version(): string {
  cached ??= String((createRequire(import.meta.url)("certwh/package.json") as { version: unknown }).version);
  return cached;
}

export function userAgent(): string {
  return `certwh/${version()}`;
}
