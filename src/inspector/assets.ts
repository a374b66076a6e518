// The page's files (src/inspector/web, copied to dist/inspector/web by the build): read once, served from
// memory. Only the files found there are served, so no request path ever reaches the file system.

import { readdirSync, readFileSync } from "node:fs";

// From src/inspector/*.ts and from any dist/<folder>/*.js, "../inspector/web/" is the same folder.
const WEB_DIR = new URL("../inspector/web/", import.meta.url);

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
};

interface Asset {
  type: string;
  body: Buffer;
}

let loaded: Map<string, Asset> | undefined;

/** URL path → file: "/" is index.html, "/app.js" is app.js. */
export function webAssets(): ReadonlyMap<string, Asset> {
  if (loaded) return loaded;
  const assets = new Map<string, Asset>();
  for (const name of readdirSync(WEB_DIR)) {
    const type = TYPES[name.slice(name.lastIndexOf("."))];
    if (!type) continue;
    const body = readFileSync(new URL(name, WEB_DIR));
    assets.set(name === "index.html" ? "/" : `/${name}`, { type, body });
  }
  if (!assets.has("/")) throw new Error(`The inspector's page is missing from ${WEB_DIR.pathname}.`);
  loaded = assets;
  return assets;
}
