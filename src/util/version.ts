import { readFileSync } from "node:fs";

/** Set by the CLI bundle build (scripts/bundle.mjs), which saves every start reading package.json. */
declare const __CERTWH_VERSION__: string | undefined;

let cached: string | undefined = typeof __CERTWH_VERSION__ === "string" ? __CERTWH_VERSION__ : undefined;

/** certwh's version from package.json (same relative path from src/ under tsx and from dist/). */
export function version(): string {
  if (!cached) {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
    cached = String(pkg.version);
  }
  return cached;
}

export function userAgent(): string {
  return `certwh/${version()}`;
}
