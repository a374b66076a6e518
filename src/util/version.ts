// certwh's version, from its package.json (esbuild copies the value into the build; tsx reads the file).
import pkg from "../../package.json" with { type: "json" };

export function version(): string {
  return pkg.version;
}

export function userAgent(): string {
  return `certwh/${version()}`;
}
