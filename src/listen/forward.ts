// --forward-to: relay each accepted event to the user's app, off the request path (the receiver has
// already answered 200 and journaled the event, so a failing app never loses it).
//
// - The body bytes go out exactly as received, with Content-Type, User-Agent and X-WEBHOOK-KEY as received.
// - Bounded memory: bodies are held up to `memoryBytes` / `queueLimit` deliveries. Beyond that, with a
//   journal, only a reference is kept (forward-backlog.ts) and the body is read back from the journal when
//   there is room, so a burst is never refused. Without a journal, the event is dropped with a warning.
// - `concurrency` requests in flight. A delivery waiting for its retry does NOT hold a slot, and waiting
//   retries and fresh deliveries take turns, so neither starves the other.
// - Retries with exponential backoff and jitter (0.5 s → 8 s) on network errors, timeouts, 408, 429 and 5xx.
//   Other answers are final: a 3xx is a failure (redirects are never followed, so the key never travels
//   to another host), and a 4xx means the app refused the event on purpose.
// - Attempts are bounded: `maxAttempts` that count, and `attemptCeiling` in all. A failure does not count
//   while the app is failing other deliveries too (forward-health.ts): an app that restarts or is flaky
//   gets every event once it recovers. While the app is down (3 failures in a row), one request at a time.
// - Results (never headers, so never the key) go to `onResult`; plain-language notices to `onNotice`.

import { Agent, type Dispatcher, request } from "undici";
import { type Clock, systemClock } from "../util/clock.js";
import { createForwardBacklog } from "./forward-backlog.js";
import { createTargetHealth, TARGET_DOWN_AFTER } from "./forward-health.js";

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
  /** Attempts per delivery that count, including the first (default 5); see forward-health.ts. */
  maxAttempts?: number;
  /** Attempts per delivery in all, counted or not (default 4 × maxAttempts). */
  attemptCeiling?: number;
  /** Requests in flight at once (default 4). */
  concurrency?: number;
  /** Per-attempt timeout (default 10 s). */
  timeoutMs?: number;
  /** Deliveries whose bodies are held in memory (queued, waiting for a retry or in flight; default 1000). */
  queueLimit?: number;
  /** Body bytes held in memory (default 32 MiB). One delivery is always admitted, whatever its size. */
  memoryBytes?: number;
  /** The journal holding every event: beyond the memory budget, bodies are read back from it. */
  journalPath?: string;
  /** Most deliveries kept as journal references beyond the memory budget (default 100,000). */
  backlogLimit?: number;
  /** First backoff delay (default 500 ms) and the cap (default 8 s). */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** Random source for jitter, in [0, 1) (tests may fix it). */
  random?: () => number;
  /** undici dispatcher (default: an Agent owned and closed by the forwarder). */
  dispatcher?: Dispatcher;
  onResult?: (result: ForwardResult) => void;
  /** Messages for the user: a dropped event, the app down or back, forwards left pending at close. */
  onNotice?: (message: string) => void;
}

export interface Forwarder {
  /** Accept a delivery; false (and a final failed result) when there is no room or the forwarder closed. */
  enqueue(delivery: Delivery): boolean;
  /** Resolves when nothing is queued, in the backlog, waiting or in flight. */
  drain(): Promise<void>;
  /**
   * Stop: abort requests and backoffs in flight, report each unfinished delivery as a final failure
   * ("forwarder closed") and, when there were any, one notice saying how many and how to replay them.
   */
  close(): Promise<void>;
  /** Deliveries not finished yet: queued, in the backlog, waiting for a retry or in flight. */
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

/** A delivery whose body is held in memory, with its attempt counts. */
interface Job {
  delivery: Delivery;
  bytes: number;
  attempts: number;
  /** Failed attempts that count against maxAttempts. */
  counted: number;
}

/** Backlog loads start when fewer than this many fresh deliveries are queued per worker. */
const REFILL_PER_WORKER = 4;
/** Wait before reading the journal again when a load found nothing yet. */
const REFILL_RETRY_MS = 200;
const CLOSED = "forwarder closed";

const shellWord = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`);

export function createForwarder(options: ForwarderOptions): Forwarder {
  const url = new URL(options.url).toString();
  const clock = options.clock ?? systemClock;
  const maxAttempts = Math.max(1, options.maxAttempts ?? 5);
  const attemptCeiling = Math.max(maxAttempts, options.attemptCeiling ?? 4 * maxAttempts);
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const queueLimit = Math.max(1, options.queueLimit ?? 1000);
  const memoryBytes = options.memoryBytes ?? 32 * 1024 * 1024;
  const baseMs = options.backoffBaseMs ?? 500;
  const maxMs = options.backoffMaxMs ?? 8000;
  const random = options.random ?? Math.random;
  const ownAgent = options.dispatcher ? null : new Agent({ connect: { timeout: timeoutMs } });
  const dispatcher = options.dispatcher ?? (ownAgent as Agent);
  const report = options.onResult ?? (() => undefined);
  const notice = options.onNotice ?? (() => undefined);
  const backlog = options.journalPath
    ? createForwardBacklog({ journalPath: options.journalPath, limit: options.backlogLimit })
    : undefined;
  const health = createTargetHealth();
  const stop = new AbortController();

  const fresh: Job[] = []; // never attempted
  const due: Job[] = []; // waited for their retry
  let held = 0; // jobs in memory: fresh, due, waiting and in flight
  let heldBytes = 0;
  let active = 0;
  let waiting = 0;
  let loading = false;
  let refillTimer: NodeJS.Timeout | undefined;
  let freshTurn = false;
  let closed = false;
  let saidDown = false;
  const closedIds: string[] = [];
  let idleWaiters: Array<() => void> = [];

  const idle = () =>
    fresh.length === 0 && due.length === 0 && active === 0 && waiting === 0 && !loading && !backlog?.size;

  const settleIdle = () => {
    if (!idle()) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const w of waiters) w();
  };

  const pendingCount = () => held + (backlog?.size ?? 0);

  function replayCommand(ids: string[]): string {
    const journal = backlog ? shellWord(backlog.journalPath) : "";
    return `certwh replay --journal ${journal} --to ${shellWord(url)}${ids.map((id) => ` --id ${id}`).join("")}`;
  }

  function finish(
    delivery: Pick<Delivery, "id" | "event">,
    result: Omit<ForwardResult, "id" | "event" | "url" | "final">,
  ) {
    report({ id: delivery.id, event: delivery.event, url, ...result, final: true });
    if (result.ok) return;
    if (result.error === CLOSED) {
      closedIds.push(delivery.id);
      return;
    }
    const why =
      result.status !== undefined ? `your app answered ${result.status}` : (result.error ?? "error");
    notice(
      backlog
        ? `Gave up forwarding ${delivery.event} ${delivery.id} (${why}). It is in the journal: \`${replayCommand([delivery.id])}\` re-delivers it.`
        : `Gave up forwarding ${delivery.event} ${delivery.id} (${why}). It was not journaled (--no-journal), so it cannot be replayed.`,
    );
  }

  function refuse(delivery: Delivery, error: string): false {
    finish(delivery, { attempt: 0, ok: false, ms: 0, error });
    return false;
  }

  function admit(delivery: Delivery, bytes: number): void {
    held++;
    heldBytes += bytes;
    fresh.push({ delivery, bytes, attempts: 0, counted: 0 });
  }

  function release(job: Job): void {
    held--;
    heldBytes -= job.bytes;
  }

  /** Tell the user once when the app stops answering, and once when it is back. */
  function sayHealth(): void {
    if (health.down && !saidDown) {
      saidDown = true;
      notice(
        `Your app at ${url} keeps failing (${health.failuresInARow} failed deliveries in a row). ${pendingCount()} ` +
          `forward(s) wait${backlog ? " (every event is in the journal)" : ""} and are retried one at a time until it answers.`,
      );
    } else if (saidDown && health.failuresInARow === 0) {
      saidDown = false;
      notice(`Your app at ${url} answers again; forwarding the ${pendingCount()} waiting event(s).`);
    }
  }

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
      return { error: stop.signal.aborted ? CLOSED : describeError(err), ms: clock.now() - started };
    }
  }

  /** One attempt; a retry waits OUTSIDE the worker slot, then queues as due. */
  async function run(job: Job): Promise<void> {
    if (health.down) {
      // Probe a down app one request at a time, further apart while it stays down.
      const pause = backoffDelay(health.failuresInARow - TARGET_DOWN_AFTER + 1, baseMs, maxMs, random);
      await clock.sleep(pause, stop.signal).catch(() => undefined);
    }
    const { delivery } = job;
    const n = ++job.attempts;
    const { status, error, ms } = await attempt(delivery);
    const ok = status !== undefined && status >= 200 && status < 300;
    const failed = !ok && (status === undefined || RETRYABLE_STATUS(status));
    const retryable = failed && !stop.signal.aborted;
    if (!stop.signal.aborted) {
      if (failed && !health.failingBroadly(delivery.id)) job.counted++;
      health.record(delivery.id, !failed);
      sayHealth();
    }
    const base = { attempt: n, ok, status, ms, error };
    if (!retryable || job.counted >= maxAttempts || n >= attemptCeiling) {
      release(job);
      finish(delivery, base);
      return;
    }
    const wait = backoffDelay(n, baseMs, maxMs, random);
    report({ id: delivery.id, event: delivery.event, url, ...base, final: false, retryInMs: wait });
    waiting++;
    clock.sleep(wait, stop.signal).then(
      () => {
        waiting--;
        due.push(job);
        pump();
      },
      () => {
        waiting--;
        release(job);
        finish(delivery, { ...base, ok: false, status: undefined, ms: 0, error: CLOSED });
        settleIdle();
      },
    );
  }

  /** Retries and fresh deliveries take turns when both wait, so neither starves the other. */
  function nextJob(): Job | undefined {
    if (due.length === 0) return fresh.shift();
    if (fresh.length === 0) return due.shift();
    freshTurn = !freshTurn;
    return freshTurn ? fresh.shift() : due.shift();
  }

  /** Read bodies back from the journal when the memory queue runs low. */
  function refill(): void {
    if (!backlog || loading || refillTimer || backlog.size === 0) return;
    if (fresh.length >= REFILL_PER_WORKER * concurrency) return;
    const roomCount = queueLimit - held;
    const roomBytes = memoryBytes - heldBytes;
    if (held > 0 && (roomCount <= 0 || roomBytes <= 0)) return;
    loading = true;
    backlog
      .load(Math.max(1, roomCount), Math.max(1, roomBytes))
      .then(
        ({ loaded, missing }) => {
          for (const d of loaded) {
            if (closed) finish(d, { attempt: 0, ok: false, ms: 0, error: CLOSED });
            else admit(d, Buffer.byteLength(d.body));
          }
          for (const ref of missing)
            finish(ref, { attempt: 0, ok: false, ms: 0, error: "not found in the journal any more" });
          if (loaded.length === 0 && missing.length === 0) retryRefillLater();
        },
        (err: unknown) => {
          notice(
            `Could not read the journal to forward waiting events: ${err instanceof Error ? err.message : String(err)}`,
          );
          retryRefillLater();
        },
      )
      .finally(() => {
        loading = false;
        pump();
        settleIdle();
      });
  }

  function retryRefillLater(): void {
    if (closed) return;
    // Real time, not the injected clock: this only paces file reads.
    refillTimer = setTimeout(() => {
      refillTimer = undefined;
      pump();
    }, REFILL_RETRY_MS);
  }

  function pump(): void {
    if (closed) return;
    refill();
    const limit = health.down ? 1 : concurrency;
    while (active < limit) {
      const job = nextJob();
      if (!job) break;
      active++;
      run(job)
        .catch(() => undefined) // run() reports its own failures; nothing may escape a worker
        .finally(() => {
          active--;
          pump();
          settleIdle();
        });
    }
  }

  function drain(): Promise<void> {
    if (idle()) return Promise.resolve();
    return new Promise((resolve) => idleWaiters.push(resolve));
  }

  return {
    enqueue(delivery) {
      if (closed) {
        // Too late for this session's summary; the event is still reported (and is in the journal).
        report({
          id: delivery.id,
          event: delivery.event,
          url,
          attempt: 0,
          ok: false,
          ms: 0,
          error: CLOSED,
          final: true,
        });
        return false;
      }
      const bytes = Buffer.byteLength(delivery.body);
      const fits = held === 0 || (held < queueLimit && heldBytes + bytes <= memoryBytes);
      // Once something waits in the backlog, newcomers queue behind it there, so it is not starved.
      if (fits && !backlog?.size) {
        admit(delivery, bytes);
        pump();
        return true;
      }
      if (backlog?.push(delivery)) {
        pump();
        return true;
      }
      if (backlog) return refuse(delivery, "forward backlog full (the event is in the journal)");
      notice(
        `Dropped the forward of ${delivery.event} ${delivery.id}: ${held} forward(s) already wait in memory ` +
          "and there is no journal (--no-journal) to keep more.",
      );
      return refuse(delivery, "forward queue full (no journal: the event was dropped)");
    },
    drain,
    async close() {
      if (!closed) {
        closed = true;
        if (refillTimer) clearTimeout(refillTimer);
        refillTimer = undefined;
        for (const job of [...fresh.splice(0), ...due.splice(0)]) {
          release(job);
          finish(job.delivery, { attempt: job.attempts, ok: false, ms: 0, error: CLOSED });
        }
        for (const ref of backlog?.takeAll() ?? [])
          finish(ref, { attempt: 0, ok: false, ms: 0, error: CLOSED });
        stop.abort();
      }
      await drain();
      await ownAgent?.close().catch(() => undefined);
      if (closedIds.length > 0) {
        const ids = closedIds.splice(0);
        const how =
          ids.length <= 5
            ? `\`${replayCommand(ids)}\` re-delivers them`
            : `\`${replayCommand([])} --id <id>\` re-delivers them (their ids are in the forward results)`;
        notice(
          backlog
            ? `${ids.length} forward(s) to ${url} had not finished when forwarding stopped. They are in the journal: ${how}.`
            : `${ids.length} forward(s) to ${url} had not finished when forwarding stopped; there is no journal to replay them from.`,
        );
      }
    },
    get pending() {
      return pendingCount();
    },
  };
}
