// --forward-to: relay each accepted event to the user's app, off the request path (the receiver has
// already answered 200 and journaled the event, so a failing app never loses it).
//
// - The body bytes go out exactly as received, with Content-Type, User-Agent and X-WEBHOOK-KEY as received.
// - Bounded: a queue of at most `queueLimit` deliveries and `concurrency` requests in flight.
// - Retries with exponential backoff and jitter (0.5 s → 8 s) on network errors, timeouts, 408, 429 and 5xx.
//   Other answers are final: a 3xx is a failure (redirects are never followed, so the key never travels
//   to another host), and a 4xx means the app refused the event on purpose.
// - Results (never headers, so never the key) go to `onResult`.

import { Agent, type Dispatcher, request } from "undici";
import { type Clock, systemClock } from "../util/clock.js";

export interface Delivery {
  /** The journal id (SHA-256 prefix of the body), to tie results to events. */
  id: string;
  event: string;
  body: Buffer | string;
  headers: {
    "content-type"?: string;
    "user-agent"?: string;
    "x-webhook-key"?: string;
  };
}

export interface ForwardResult {
  id: string;
  event: string;
  url: string;
  /** 1-based attempt number. */
  attempt: number;
  ok: boolean;
  /** HTTP status when the app answered. */
  status?: number;
  /** Duration of this attempt in milliseconds (from the injected clock). */
  ms: number;
  /** Why the attempt failed, when it did and there is no status (e.g. "ECONNREFUSED", "timeout"). */
  error?: string;
  /** No further attempt will be made for this delivery (success, final failure, or forwarder closed). */
  final: boolean;
  /** When not final: the wait before the next attempt. */
  retryInMs?: number;
}

export interface ForwarderOptions {
  url: string;
  clock?: Clock;
  /** Attempts per delivery, including the first (default 5). */
  maxAttempts?: number;
  /** Deliveries being worked on at once (default 4). One waiting for its retry keeps its slot (back-pressure). */
  concurrency?: number;
  /** Per-attempt timeout (default 10 s). */
  timeoutMs?: number;
  /** Deliveries waiting beyond this are refused by enqueue() (default 1000). */
  queueLimit?: number;
  /** First backoff delay (default 500 ms) and the cap (default 8 s). */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** Random source for jitter, in [0, 1) (tests may fix it). */
  random?: () => number;
  /** undici dispatcher (default: an Agent owned and closed by the forwarder). */
  dispatcher?: Dispatcher;
  onResult?: (result: ForwardResult) => void;
}

export interface Forwarder {
  /** Queue a delivery; false (and a final failed result) when the queue is full or the forwarder closed. */
  enqueue(delivery: Delivery): boolean;
  /** Resolves when nothing is queued, waiting or in flight. */
  drain(): Promise<void>;
  /** Stop: abort requests and backoffs in flight, report unfinished deliveries as final failures. */
  close(): Promise<void>;
  /** Deliveries queued, waiting for a retry or in flight. */
  readonly pending: number;
}

const RETRYABLE_STATUS = (status: number) => status === 408 || status === 429 || status >= 500;

/** Delay before attempt `attempt + 1`: base·2^(attempt−1) capped, half fixed and half random. */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

function describeError(err: unknown): string {
  const e = err as { code?: string; name?: string; message?: string; cause?: { code?: string } };
  if (e?.name === "TimeoutError") return "timeout";
  return e?.code ?? e?.cause?.code ?? e?.name ?? "error";
}

export function createForwarder(options: ForwarderOptions): Forwarder {
  const url = new URL(options.url).toString();
  const clock = options.clock ?? systemClock;
  const maxAttempts = Math.max(1, options.maxAttempts ?? 5);
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const queueLimit = options.queueLimit ?? 1000;
  const baseMs = options.backoffBaseMs ?? 500;
  const maxMs = options.backoffMaxMs ?? 8000;
  const random = options.random ?? Math.random;
  const ownAgent = options.dispatcher ? null : new Agent({ connect: { timeout: timeoutMs } });
  const dispatcher = options.dispatcher ?? (ownAgent as Agent);
  const report = options.onResult ?? (() => undefined);
  const stop = new AbortController();

  const queue: Delivery[] = [];
  let active = 0;
  let closed = false;
  let idleWaiters: Array<() => void> = [];

  const settleIdle = () => {
    if (queue.length > 0 || active > 0) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const w of waiters) w();
  };

  async function attempt(delivery: Delivery): Promise<{ status?: number; error?: string; ms: number }> {
    const headers: Record<string, string> = {};
    for (const name of ["content-type", "user-agent", "x-webhook-key"] as const) {
      const value = delivery.headers[name];
      if (value !== undefined) headers[name] = value;
    }
    const started = clock.now();
    try {
      const res = await request(url, {
        method: "POST",
        headers,
        body: delivery.body,
        dispatcher,
        signal: AbortSignal.any([stop.signal, AbortSignal.timeout(timeoutMs)]),
      });
      await res.body.dump().catch(() => undefined);
      return { status: res.statusCode, ms: clock.now() - started };
    } catch (err) {
      return {
        error: stop.signal.aborted ? "forwarder closed" : describeError(err),
        ms: clock.now() - started,
      };
    }
  }

  async function deliver(delivery: Delivery): Promise<void> {
    for (let n = 1; n <= maxAttempts; n++) {
      const { status, error, ms } = await attempt(delivery);
      const ok = status !== undefined && status >= 200 && status < 300;
      const retryable = !ok && !stop.signal.aborted && (status === undefined || RETRYABLE_STATUS(status));
      const base = { id: delivery.id, event: delivery.event, url, attempt: n, ok, status, ms, error };
      if (!retryable || n === maxAttempts) {
        report({ ...base, final: true });
        return;
      }
      const wait = backoffDelay(n, baseMs, maxMs, random);
      report({ ...base, final: false, retryInMs: wait });
      try {
        await clock.sleep(wait, stop.signal);
      } catch {
        report({ ...base, ok: false, error: "forwarder closed", final: true });
        return;
      }
    }
  }

  function pump(): void {
    while (active < concurrency && queue.length > 0) {
      const next = queue.shift() as Delivery;
      active++;
      deliver(next)
        .catch(() => undefined) // deliver() reports its own failures; nothing may escape a worker
        .finally(() => {
          active--;
          pump();
          settleIdle();
        });
    }
  }

  function drain(): Promise<void> {
    if (queue.length === 0 && active === 0) return Promise.resolve();
    return new Promise((resolve) => idleWaiters.push(resolve));
  }

  function refuse(delivery: Delivery, error: string): false {
    report({ id: delivery.id, event: delivery.event, url, attempt: 0, ok: false, ms: 0, error, final: true });
    return false;
  }

  return {
    enqueue(delivery) {
      if (closed) return refuse(delivery, "forwarder closed");
      if (queue.length >= queueLimit)
        return refuse(delivery, "forward queue full (the event is in the journal)");
      queue.push(delivery);
      pump();
      return true;
    },
    drain,
    async close() {
      if (!closed) {
        closed = true;
        for (const d of queue.splice(0)) refuse(d, "forwarder closed");
        stop.abort();
      }
      await drain();
      await ownAgent?.close().catch(() => undefined);
    },
    get pending() {
      return queue.length + active;
    },
  };
}
