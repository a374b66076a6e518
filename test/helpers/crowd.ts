// Crowds for connection-limit tests: slowloris sockets that dribble a request head and never finish it, and
// senders that post each delivery on a fresh connection (no keep-alive), as CertCentral and most webhook
// senders do. Every socket is bounded: the crowd is stopped by the test, and each request has a deadline.
import { request } from "node:http";
import { connect, type Socket } from "node:net";

export interface SlowCrowd {
  /** Slow sockets open right now. */
  readonly open: number;
  /** Slow sockets opened in all (reopened ones included). */
  readonly opened: number;
  /** Slow sockets the server closed. */
  readonly closedByServer: number;
  stop(): void;
}

export interface SlowCrowdOptions {
  url: URL;
  count: number;
  /** One more header line this often. Default 3000 (case 2 of issue 11). */
  headerEveryMs?: number;
  /** Open a new slow socket whenever the server closes one, as a real attacker would. Default false. */
  reopen?: boolean;
  /** Source address to connect from (127.0.0.2 is another loopback peer on Linux). */
  localAddress?: string;
}

/** Opens `count` sockets that send a request line and then one header line every `headerEveryMs`. */
export function holdSlowSockets(opts: SlowCrowdOptions): SlowCrowd {
  const sockets = new Set<Socket>();
  let stopped = false;
  let opened = 0;
  let closedByServer = 0;
  const open = () => {
    if (stopped) return;
    opened++;
    const socket = connect({
      host: opts.url.hostname,
      port: Number(opts.url.port),
      localAddress: opts.localAddress,
    });
    sockets.add(socket);
    let timer: NodeJS.Timeout | undefined;
    socket.on("error", () => undefined);
    socket.on("data", () => undefined);
    socket.once("connect", () => {
      socket.write(`POST ${opts.url.pathname} HTTP/1.1\r\nHost: ${opts.url.host}\r\n`);
      let n = 0;
      timer = setInterval(() => socket.write(`X-Slow-${n++}: 1\r\n`), opts.headerEveryMs ?? 3000);
    });
    socket.once("close", () => {
      clearInterval(timer);
      sockets.delete(socket);
      if (stopped) return;
      closedByServer++;
      if (opts.reopen) setTimeout(open, 10);
    });
  };
  for (let i = 0; i < opts.count; i++) open();
  return {
    get open() {
      return [...sockets].filter((s) => !s.connecting && !s.destroyed).length;
    },
    get opened() {
      return opened;
    },
    get closedByServer() {
      return closedByServer;
    },
    stop() {
      stopped = true;
      for (const socket of sockets) socket.destroy();
      sockets.clear();
    },
  };
}

export type FreshResult = { status: number; retryAfter?: string; body: string } | { error: string };

/** One POST on a new connection (Connection: close), bounded by `timeoutMs` (default 20 s). */
export function postFresh(
  url: URL,
  body: string,
  headers: Record<string, string>,
  opts: { localAddress?: string; timeoutMs?: number } = {},
): Promise<FreshResult> {
  return new Promise((resolve) => {
    const req = request(
      url,
      {
        method: "POST",
        agent: false,
        localAddress: opts.localAddress,
        headers: {
          "content-type": "application/json",
          "content-length": String(Buffer.byteLength(body)),
          ...headers,
        },
        timeout: opts.timeoutMs ?? 20_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.once("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            retryAfter: res.headers["retry-after"],
            body: Buffer.concat(chunks).toString("utf8"),
          }),
        );
        res.once("error", (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
      },
    );
    req.once("timeout", () => req.destroy(Object.assign(new Error("timeout"), { code: "TIMEOUT" })));
    req.once("error", (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
    req.end(body);
  });
}

/** Runs `count` jobs with `concurrency` at a time; results in job order. */
export async function inParallel<T>(
  count: number,
  concurrency: number,
  job: (i: number) => Promise<T>,
): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      results[i] = await job(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return results;
}
