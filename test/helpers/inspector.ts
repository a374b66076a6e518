// A client of listen's local web inspector over plain HTTP (http.request, so a test can send any Host,
// Origin or method): log in with the printed URL's token, fetch pages, read /events. Every wait is bounded.
import { type IncomingHttpHeaders, request } from "node:http";
import { Notifier } from "./wait.js";

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface AskOptions {
  method?: string;
  headers?: Record<string, string>;
  /** Sent as the request's body. */
  body?: string;
  timeoutMs?: number;
}

/** One request to 127.0.0.1:<port><path>; the Host header is 127.0.0.1:<port> unless headers set it. */
export function ask(port: number, path: string, opts: AskOptions = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        path,
        method: opts.method ?? "GET",
        headers: { host: `127.0.0.1:${port}`, ...opts.headers },
        timeout: opts.timeoutMs ?? 5000,
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8").on("data", (d: string) => {
          body += d;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer to ${path} in time`)));
    req.on("error", reject);
    req.end(opts.body);
  });
}

/** POSTs `body` (a string as it is, anything else as JSON) with Content-Type: application/json and `headers`. */
export function postJson(port: number, path: string, body: unknown, headers: Record<string, string> = {}) {
  return ask(port, path, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
    timeoutMs: 15_000,
  });
}

/** The headers the inspector's own page sends with a write: its cookie and its own Origin. */
export const asThePage = (port: number, cookie: string) => ({ cookie, origin: `http://127.0.0.1:${port}` });

/** Opens the printed URL (its token) and returns the port and the `name=value` cookie it sets. */
export async function logIn(url: string): Promise<{ port: number; cookie: string; answer: Answer }> {
  const u = new URL(url);
  const port = Number(u.port);
  const answer = await ask(port, `${u.pathname}${u.search}`);
  const setCookie = answer.headers["set-cookie"]?.[0] ?? "";
  return { port, cookie: setCookie.split(";")[0] ?? "", answer };
}

export interface EventStream {
  /** Every `data:` payload so far, parsed. */
  events: Record<string, unknown>[];
  /** The raw text received so far. */
  raw(): string;
  /** Resolves once `probe` answers about the events (rejects after timeoutMs, default 10 s). */
  until<T>(
    probe: (events: Record<string, unknown>[]) => T | undefined | false,
    what: string,
    timeoutMs?: number,
  ): Promise<T>;
  close(): void;
}

/** Opens /events with the cookie; resolves with the stream once the answer's head is in (its status 200). */
export function openEvents(port: number, cookie: string): Promise<EventStream> {
  return new Promise((resolve, reject) => {
    const events: Record<string, unknown>[] = [];
    const changes = new Notifier();
    let text = "";
    let pending = "";
    const req = request(
      { host: "127.0.0.1", port, path: "/events", headers: { host: `127.0.0.1:${port}`, cookie } },
      (res) => {
        req.setTimeout(0); // the stream may be quiet for long; each wait on it has its own deadline
        if (res.statusCode !== 200) {
          res.resume();
          reject(new Error(`/events answered ${res.statusCode}`));
          return;
        }
        res.setEncoding("utf8").on("data", (d: string) => {
          text += d;
          const blocks = (pending + d).split("\n\n");
          pending = blocks.pop() ?? "";
          for (const block of blocks)
            for (const line of block.split("\n"))
              if (line.startsWith("data: "))
                events.push(JSON.parse(line.slice(6)) as Record<string, unknown>);
          changes.notify();
        });
        res.on("close", () => changes.notify());
        resolve({
          events,
          raw: () => text,
          until: (probe, what, timeoutMs = 10_000) =>
            changes.until(
              () => probe(events),
              timeoutMs,
              () => new Error(`timed out waiting for ${what}; got ${text.slice(-2000)}`),
            ),
          close: () => req.destroy(),
        });
      },
    );
    req.setTimeout(5000, () => req.destroy(new Error("/events did not answer in time")));
    req.on("error", reject);
    req.end();
  });
}
