// The local web inspector of `certwh listen`: a page on 127.0.0.1 that shows the session live. It is
// reached only through the printed URL's token (then a cookie), only under its own Host, never cross-origin.

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { ListenEvent } from "../listen/types.js";
import { APP_CSS } from "./assets/app-css.js";
import { APP_JS } from "./assets/app-js.js";
import { PAGE_HTML } from "./assets/page.js";
import type { Listener } from "./feed.js";
import { cookieValue, hostAllowed, newSecret, SAFE_METHODS, sameOrigin, sameSecret } from "./guard.js";
import { forThePage } from "./redact-event.js";

export const HEARTBEAT_MS = 15_000;
/** A page that reads this far behind is dropped (it reconnects and gets the history again). */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

export const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export interface InspectorOptions {
  /** Default 0: the OS picks. Always bound to 127.0.0.1. */
  port?: number;
  /** Calls the listener with every new event; returns the unsubscribe. */
  events: (listener: Listener) => () => void;
  /** Every event so far, oldest first. */
  history: () => readonly ListenEvent[];
  /** Heartbeat period of /events (tests shorten it). */
  heartbeatMs?: number;
}

export interface Inspector {
  /** http://127.0.0.1:<port>/?token=… — the only way in. */
  url: string;
  close(): Promise<void>;
}

const ASSETS: Record<string, { type: string; body: string }> = {
  "/": { type: "text/html; charset=utf-8", body: PAGE_HTML },
  "/app.js": { type: "text/javascript; charset=utf-8", body: APP_JS },
  "/app.css": { type: "text/css; charset=utf-8", body: APP_CSS },
};

function baseHeaders(): Record<string, string> {
  return {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
  };
}

function plain(res: ServerResponse, status: number, text: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, { ...baseHeaders(), "Content-Type": "text/plain; charset=utf-8", ...extra });
  res.end(`${text}\n`);
}

export async function startInspector(options: InspectorOptions): Promise<Inspector> {
  const token = newSecret();
  const session = newSecret();
  const streams = new Set<ServerResponse>();
  let port = 0;
  // Cookies are shared by every port of a host: the name keeps two sessions' inspectors apart.
  const cookieName = () => `certwh_inspector_${port}`;

  function stream(res: ServerResponse): void {
    res.writeHead(200, {
      ...baseHeaders(),
      "Content-Type": "text/event-stream; charset=utf-8",
      Connection: "keep-alive",
    });
    res.flushHeaders(); // the page learns at once that the stream is open, history or not
    const send = (event: ListenEvent) => {
      if (res.writableLength > MAX_BUFFERED_BYTES) {
        res.destroy();
        return;
      }
      res.write(`data: ${JSON.stringify(forThePage(event))}\n\n`);
    };
    for (const event of options.history()) send(event);
    const unsubscribe = options.events(send);
    const heartbeat = setInterval(() => res.write(": heartbeat\n\n"), options.heartbeatMs ?? HEARTBEAT_MS);
    heartbeat.unref();
    streams.add(res);
    const stop = () => {
      clearInterval(heartbeat);
      unsubscribe();
      streams.delete(res);
    };
    // The response's close, not the request's: a request closes as soon as its (empty) body is read.
    res.on("close", stop);
  }

  function handle(req: IncomingMessage, res: ServerResponse) {
    if (!hostAllowed(req.headers.host, port)) return plain(res, 421, "Misdirected request: unknown Host.");
    const url = new URL(req.url ?? "/", `http://${req.headers.host}`);
    const method = req.method ?? "GET";
    const hasCookie = sameSecret(cookieValue(req, cookieName()), session);
    if (!SAFE_METHODS.has(method)) {
      if (!hasCookie || !sameOrigin(req)) return plain(res, 403, "Forbidden.");
      return plain(res, 405, "Method not allowed.", { Allow: "GET, HEAD" });
    }
    const given = url.searchParams.get("token");
    if (given !== null) {
      if (!sameSecret(given, token)) return plain(res, 401, "Unauthorized: open the URL listen printed.");
      // The token leaves the address bar (and the history) at once; the cookie carries on.
      res.writeHead(303, {
        ...baseHeaders(),
        Location: "/",
        "Set-Cookie": `${cookieName()}=${session}; HttpOnly; SameSite=Strict; Path=/`,
      });
      res.end();
      return;
    }
    if (!hasCookie) return plain(res, 401, "Unauthorized: open the URL listen printed.");
    if (url.pathname === "/events") return stream(res);
    const asset = ASSETS[url.pathname];
    if (!asset) return plain(res, 404, "Not found.");
    res.writeHead(200, { ...baseHeaders(), "Content-Type": asset.type });
    res.end(method === "HEAD" ? undefined : asset.body);
  }

  const server = createServer((req, res) => {
    req.resume();
    handle(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
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
