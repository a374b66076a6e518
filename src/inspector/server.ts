// The local web inspector of `certwh listen`: a page on 127.0.0.1 that shows the session live. Only a browser
// on this computer that opened the printed URL gets in (its token, then a cookie); the Host check defeats DNS
// rebinding, the Origin check cross-site writes, and no CORS header is ever sent.

import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { readdirSync, readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { ListenEvent } from "../listen/types.js";
import { redact } from "../util/redact.js";
import { sameSecret } from "../util/same-secret.js";
import { BASE_HEADERS, findRoute, type Route, sendJson, sendText } from "./routes.js";

export { CSP } from "./routes.js";

// What the inspector shows: listen's events as they happen, kept for pages opened later. The history is
// bounded (a session can run for days): state and ready events are few and always kept, deliveries and
// results only the most recent ones.
const HISTORY_LIMIT = 5000;
const HISTORY_TRIM_BATCH = 500;

type Listener = (event: ListenEvent) => void;

interface EventFeed {
  push(event: ListenEvent): void;
  /** Calls `listener` with every event pushed from now on; returns the unsubscribe. */
  subscribe(listener: Listener): () => void;
  /** Every kept event, oldest first. */
  history(): ListenEvent[];
}

export function createEventFeed(): EventFeed {
  let kept: ListenEvent[] = [];
  const listeners = new Set<Listener>();
  const isLasting = (e: ListenEvent) => e.type === "state" || e.type === "ready";
  return {
    push(event) {
      kept.push(event);
      // Trimmed in batches: a splice per event past the limit moved the whole array each time (a hot
      // spot under a load of thousands of deliveries a second).
      if (kept.length > HISTORY_LIMIT + HISTORY_TRIM_BATCH) {
        let drop = kept.length - HISTORY_LIMIT;
        kept = kept.filter((e) => isLasting(e) || drop-- <= 0);
      }
      for (const listener of [...listeners]) listener(event);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    history: () => [...kept],
  };
}

const HEARTBEAT_MS = 15_000;
/** A page that reads this far behind is dropped (it reconnects and gets the history again). */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;
const DEFAULT_PANES: readonly Pane[] = ["session", "deliveries"];
const SAFE_METHODS = new Set(["GET", "HEAD"]);

interface InspectorOptions {
  /** Default 0: the OS picks. Always bound to 127.0.0.1. */
  port?: number;
  /** Calls the listener with every new event; returns the unsubscribe. */
  events: (listener: Listener) => () => void;
  /** Every event so far, oldest first. */
  history: () => readonly ListenEvent[];
  /** Heartbeat period of /events (tests shorten it). */
  heartbeatMs?: number;
  /** The features' API (under /api/): deliveries, replay, the sandbox console… Each route is behind the guard. */
  routes?: readonly Route[];
  /** The panes the page shows (GET /api/page tells it); default the session and its deliveries. */
  panes?: readonly Pane[];
  /** The page's heading, default "certwh listen". */
  title?: string;
}

type Pane = "session" | "deliveries" | "console";

export interface Inspector {
  /** http://127.0.0.1:<port>/?token=… — the only way in. */
  url: string;
  close(): Promise<void>;
}

// The page gets listen's events without anything that grants access: the ready event is the only one that
// carries a credential (the throwaway sandbox API key), and the inspector's own URL holds its token.
function forThePage(event: ListenEvent): ListenEvent {
  if (event.type !== "ready") return event;
  const { sandbox_api_key: _key, inspector_url: _url, ...rest } = event;
  return rest;
}

const newSecret = () => randomBytes(24).toString("base64url");

/** The Host values a browser sends for this server: DNS names pointing here (rebinding) are refused. */
function hostAllowed(host: string | undefined, port: number): boolean {
  return host === `127.0.0.1:${port}` || host === `localhost:${port}`;
}

/** The value of cookie `name` in the request, or undefined. */
function cookieValue(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** Only a page the inspector served may write: its Origin is the origin of the Host it talked to. */
function sameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  return origin !== undefined && origin === `http://${req.headers.host}`;
}

// The page's files (src/inspector/web, copied to dist/inspector/web by the build): read once, served from
// memory. Only the files found there are served, so no request path ever reaches the file system.
// From src/inspector/*.ts and from any dist/<folder>/*.js, "../inspector/web/" is the same folder.
const WEB_DIR = new URL("../inspector/web/", import.meta.url);

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
};

type Asset = { type: string; body: Buffer };
let loaded: Map<string, Asset> | undefined;

/** URL path → file: "/" is index.html, "/app.js" is app.js. */
function webAssets(): ReadonlyMap<string, Asset> {
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

export async function startInspector(options: InspectorOptions): Promise<Inspector> {
  const token = newSecret();
  const session = newSecret();
  const streams = new Set<ServerResponse>();
  const routes = options.routes ?? [];
  let port = 0;
  // Cookies are shared by every port of a host: the name keeps two sessions' inspectors apart.
  const cookieName = () => `certwh_inspector_${port}`;

  function stream(res: ServerResponse): void {
    res.writeHead(200, {
      ...BASE_HEADERS,
      "Content-Type": "text/event-stream; charset=utf-8",
      Connection: "keep-alive",
    });
    res.flushHeaders(); // the page learns at once that the stream is open, history or not
    const send = (event: ListenEvent) => {
      if (res.writableLength > MAX_BUFFERED_BYTES) {
        res.destroy();
        return;
      }
      res.write(`data: ${redact(JSON.stringify(forThePage(event)))}\n\n`);
    };
    for (const event of options.history()) send(event);
    const unsubscribe = options.events(send);
    const heartbeat = setInterval(() => res.write(": heartbeat\n\n"), options.heartbeatMs ?? HEARTBEAT_MS);
    heartbeat.unref();
    streams.add(res);
    // The response's close, not the request's: a request closes as soon as its (empty) body is read.
    res.on("close", () => {
      clearInterval(heartbeat);
      unsubscribe();
      streams.delete(res);
    });
  }

  function handle(req: IncomingMessage, res: ServerResponse) {
    if (!hostAllowed(req.headers.host, port)) return sendText(res, 421, "Misdirected request: unknown Host.");
    const url = new URL(req.url ?? "/", `http://${req.headers.host}`);
    const method = req.method ?? "GET";
    const hasCookie = sameSecret(cookieValue(req, cookieName()), session);
    // Writes need the cookie and this page's own Origin (no CORS header is ever sent, so no other origin can
    // read an answer either).
    if (!SAFE_METHODS.has(method) && (!hasCookie || !sameOrigin(req)))
      return sendText(res, 403, "Forbidden.");
    const given = url.searchParams.get("token");
    if (given !== null) {
      if (!sameSecret(given, token))
        return sendText(res, 401, "Unauthorized: open the URL certwh printed (token included).");
      // The token leaves the address bar (and the history) at once; the cookie carries on.
      res.writeHead(303, {
        ...BASE_HEADERS,
        Location: "/",
        "Set-Cookie": `${cookieName()}=${session}; HttpOnly; SameSite=Strict; Path=/`,
      });
      res.end();
      return;
    }
    if (!hasCookie) return sendText(res, 401, "Unauthorized: open the URL certwh printed (token included).");
    if (url.pathname === "/events" && method === "GET") return stream(res);
    if (url.pathname === "/api/page" && method === "GET")
      return sendJson(res, 200, {
        panes: options.panes ?? DEFAULT_PANES,
        title: options.title ?? "certwh listen",
        // Whether the deliveries pane can read a store (GET /api/deliveries), or makes its rows from /events.
        deliveries_api: typeof findRoute(routes, "GET", "/api/deliveries") === "object",
      });
    const found = findRoute(routes, method, url.pathname);
    if (found === "wrong-method") return sendText(res, 405, "Method not allowed.");
    if (found) return found.route.handle(req, res, { url, groups: found.groups });
    const asset = SAFE_METHODS.has(method) ? webAssets().get(url.pathname) : undefined;
    if (!asset) return sendText(res, SAFE_METHODS.has(method) ? 404 : 405, "Not found.");
    res.writeHead(200, { ...BASE_HEADERS, "Content-Type": asset.type });
    res.end(method === "HEAD" ? undefined : asset.body);
  }

  const server = createServer((req, res) => {
    Promise.resolve(handle(req, res))
      .catch((err: Error) => {
        if (!res.headersSent) sendText(res, 500, `Internal error: ${err.message}`);
        else res.destroy();
      })
      // A body nobody read is drained, so the connection can carry the next request.
      .finally(() => req.resume());
  });
  webAssets(); // a missing page fails listen at start, not the first visitor
  const listening = once(server, "listening"); // rejects on "error" (e.g. the port is taken)
  server.listen(options.port ?? 0, "127.0.0.1");
  await listening;
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of streams) res.end();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
