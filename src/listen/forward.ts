// --forward-to: relay each accepted event to the user's app, off the request path (the receiver has
// already answered 200 and journaled the event, so a failing app never loses it).
//
// - The body bytes go out exactly as received, with Content-Type, User-Agent and X-WEBHOOK-KEY as received.
// - Bounded memory: bodies are held up to `memoryBytes` / `queueLimit` deliveries. Beyond that, with a
//   journal, only a reference is kept (forward-backlog.ts) and the body is read back from the journal when
//   there is room, so a burst is never refused. Without a journal, the event is dropped with a warning.
// - `concurrency` requests in flight, the oldest waiting delivery first. A delivery waiting for its retry
//   does NOT hold a slot.
// - Retries with exponential backoff and jitter (0.5 s → 8 s) on network errors, timeouts, 408, 429 and 5xx.
//   Other answers are final: a 3xx is a failure (redirects are never followed, so the key never travels
//   to another host), and a 4xx means the app refused the event on purpose.
// - Attempts are bounded: `maxAttempts` that count, and `attemptCeiling` in all. A failure does not count
//   while the app is failing other deliveries too (forward-health.ts): an app that restarts or is flaky
//   gets every event once it recovers. While the app is down (3 failures in a row, of several deliveries or
//   without reaching it), one request at a time: the oldest delivery probes it, so once it answers the events
//   follow in the order they arrived. A poison event (the app answers 5xx for it alone, or never answers it
//   within the timeout, while it takes the others) does not make the app down: it uses up its counted
//   attempts while the rest flow. When the failures in a row are all one delivery's and no other was taken
//   lately, another one probes first.
// - A TLS certificate the target's host does not prove is final at once (retrying cannot fix it); only
//   `skipVerify` (listen's --skip-verify, for an app on this computer) accepts a self-signed one.
// - A refusing answer's first bytes come back with the result (forward-response.ts), so the user sees why.
// - Results (never headers, so never the key) go to `onResult`; plain-language notices to `onNotice`.

import { type Clock, systemClock } from "../util/clock.js";
import { deadline } from "../util/deadline.js";
import { isLoopbackUrl } from "../util/loopback.js";
import { shellWord } from "../util/shell-word.js";
import { Agent, request } from "../util/undici.js";
import { type BacklogLoad, createForwardBacklog, type ForwardBacklog } from "./forward-backlog.js";
import { FORWARDER_CLOSED, forwardErrorWords } from "./forward-errors.js";
import { createTargetHealth, noAnswerOf, TARGET_DOWN_AFTER } from "./forward-health.js";
import { type Job, MemoryQueue } from "./forward-memory.js";
import { readResponseExcerpt } from "./forward-response.js";
import type { Delivery, ForwardResult } from "./forward-types.js";
import { noKeyNote, type ReplaySecret, replaySecretWords } from "./replay-secret.js";

export type { Delivery, ForwardResult } from "./forward-types.js";

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
  /** How the replay commands in notices get the secret (the journal never holds it). */
  replaySecret?: ReplaySecret;
  /** First backoff delay (default 500 ms) and the cap (default 8 s). */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** Random source for jitter, in [0, 1) (tests may fix it). */
  random?: () => number;
  /** Accept a TLS certificate that is not trusted (self-signed); the caller allows it for loopback only. */
  skipVerify?: boolean;
  onResult?: (result: ForwardResult) => void;
  /** Messages for the user: a dropped event, the app down or back, forwards left pending at close. */
  onNotice?: (message: string) => void;
  /** Name the deliveries left unfinished at close in a notice (default true; off when the caller sums up). */
  noticeUnfinished?: boolean;
}

const RETRYABLE_STATUS = (status: number) => status === 408 || status === 429 || status >= 500;
const FORWARDED_HEADERS = ["content-type", "user-agent", "x-webhook-key"] as const;

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

/** Backlog loads start when fewer than this many fresh deliveries are queued per worker. */
const REFILL_PER_WORKER = 4;
/** Wait before reading the journal again when a load found nothing yet. */
const REFILL_RETRY_MS = 200;

export { FORWARDER_CLOSED };
/** The default memory budget: deliveries and body bytes held (--forward-to targets share it). */
export const QUEUE_LIMIT = 1000;
export const MEMORY_BYTES = 32 * 1024 * 1024;
/** How a result's error starts when the target's TLS certificate was not trusted. */
const CERTIFICATE_NOT_TRUSTED = "certificate not trusted";
/** Certificate problems (node:tls / OpenSSL codes): final, since another attempt gets the same certificate. */
const CERTIFICATE_ERRORS = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

/** A result without the fields every result of a delivery shares. */
type Outcome = Omit<ForwardResult, "id" | "event" | "url" | "final">;

export function createForwarder(options: ForwarderOptions): Forwarder {
  return new Forwarder(options);
}

export class Forwarder {
  private readonly url: string;
  private readonly clock: Clock;
  private readonly maxAttempts: number;
  private readonly attemptCeiling: number;
  private readonly concurrency: number;
  private readonly timeoutMs: number;
  private readonly backoff: (attempt: number) => number;
  private readonly agent: Agent;
  private readonly report: (result: ForwardResult) => void;
  private readonly notice: (message: string) => void;
  private readonly noticeUnfinished: boolean;
  private readonly replaySecret: ReplaySecret | undefined;
  private readonly backlog: ForwardBacklog | undefined;
  private readonly memory: MemoryQueue;
  private readonly health = createTargetHealth();
  /** Aborted by close(): requests and retry waits in flight end at once. */
  private readonly stop = new AbortController();
  private active = 0; // requests in flight, each in a worker slot
  private waiting = 0; // retries waiting out their backoff, outside the slots
  private loading = false; // a backlog load is reading the journal
  private refillTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private saidDown = false; // the user was told the app keeps failing
  private saidCertificate = false; // the user was told the app's certificate is not trusted
  private quiet = false; // stopping: health notices would contradict the stop's count
  /** Deliveries reported "forwarder closed", named in one notice at the end of close(). */
  private readonly closedIds: string[] = [];
  private readonly idleWaiters: Array<() => void> = [];

  constructor(options: ForwarderOptions) {
    this.url = new URL(options.url).toString();
    this.clock = options.clock ?? systemClock;
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 5);
    this.attemptCeiling = Math.max(this.maxAttempts, options.attemptCeiling ?? 4 * this.maxAttempts);
    this.concurrency = Math.max(1, options.concurrency ?? 4);
    this.timeoutMs = options.timeoutMs ?? 10_000;
    const { backoffBaseMs = 500, backoffMaxMs = 8000, random = Math.random } = options;
    this.backoff = (attempt) => backoffDelay(attempt, backoffBaseMs, backoffMaxMs, random);
    const tls = options.skipVerify ? { rejectUnauthorized: false } : {};
    this.agent = new Agent({ connect: { timeout: this.timeoutMs, ...tls } });
    this.report = options.onResult ?? (() => undefined);
    this.notice = options.onNotice ?? (() => undefined);
    this.noticeUnfinished = options.noticeUnfinished ?? true;
    this.replaySecret = options.replaySecret;
    this.backlog = options.journalPath
      ? createForwardBacklog({ journalPath: options.journalPath, limit: options.backlogLimit })
      : undefined;
    const queueLimit = Math.max(1, options.queueLimit ?? QUEUE_LIMIT);
    this.memory = new MemoryQueue(queueLimit, options.memoryBytes ?? MEMORY_BYTES);
  }

  /** Deliveries not finished yet: queued, in the backlog, waiting for a retry or in flight. */
  get pending(): number {
    return this.memory.held + (this.backlog?.size ?? 0);
  }

  /**
   * Whether a delivery of `bytes` would be taken now rather than refused, with `reserved` more (count and
   * bytes) promised to arrive first: lets a receiver without a journal refuse (503) what it cannot hold.
   */
  canHold(bytes: number, reserved: { count: number; bytes: number }): boolean {
    if (this.closed) return false;
    const { memory, backlog } = this;
    if (backlog) return backlog.size + reserved.count < backlog.limit || memory.fits(bytes + reserved.bytes);
    return memory.fits(bytes, reserved);
  }

  /** Accept a delivery; false (and a final failed result) when there is no room or the forwarder closed. */
  enqueue(delivery: Delivery): boolean {
    if (this.closed) {
      // Too late for this session's summary; the event is still reported (and is in the journal).
      this.report(this.finalResult(delivery, { attempt: 0, ok: false, ms: 0, error: FORWARDER_CLOSED }));
      return false;
    }
    const bytes = Buffer.byteLength(delivery.body);
    // Once something waits in the backlog, newcomers queue behind it there, so it is not starved.
    if (this.memory.fits(bytes) && !this.backlog?.size) this.memory.admit(delivery, bytes);
    else if (!this.backlog?.push(delivery)) return this.refuse(delivery);
    this.pump();
    return true;
  }

  /** The session is stopping: no more app-down/up notices (the stop's own lines count what is left). */
  stopping(): void {
    this.quiet = true;
  }

  /** Resolves when nothing is queued, in the backlog, waiting or in flight. */
  drain(): Promise<void> {
    if (this.idle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Stop: abort requests and backoffs in flight, report each unfinished delivery as a final failure
   * ("forwarder closed") and, when there were any, one notice saying how many and how to replay them.
   */
  async close(): Promise<void> {
    if (!this.closed) this.abortAll();
    await this.drain();
    await this.agent.close().catch(() => undefined);
    const unfinished = this.closedIds.splice(0);
    if (unfinished.length > 0 && this.noticeUnfinished) this.sayUnfinished(unfinished);
  }

  /** Stop: every delivery not finished is reported as a final failure, and requests in flight are aborted. */
  private abortAll(): void {
    this.closed = true;
    clearTimeout(this.refillTimer);
    this.refillTimer = undefined;
    for (const job of this.memory.takeQueued()) {
      this.memory.release(job);
      this.finish(job.delivery, { attempt: job.attempts, ok: false, ms: 0, error: FORWARDER_CLOSED });
    }
    for (const ref of this.backlog?.takeAll() ?? []) this.finishUnsent(ref, FORWARDER_CLOSED);
    this.stop.abort();
  }

  private idle(): boolean {
    const { memory, backlog } = this;
    return memory.queued === 0 && this.active === 0 && this.waiting === 0 && !this.loading && !backlog?.size;
  }

  private settleIdle(): void {
    if (!this.idle()) return;
    for (const w of this.idleWaiters.splice(0)) w();
  }

  /** Start queued jobs while worker slots are free (one slot while the app is down). */
  private pump(): void {
    if (this.closed) return;
    this.refill();
    const slots = this.health.down ? 1 : this.concurrency;
    while (this.active < slots) {
      const job = this.nextJob();
      if (!job) break;
      this.active++;
      this.run(job)
        .catch(() => undefined) // run() reports its own failures; nothing may escape a worker
        .finally(() => {
          this.active--;
          this.pump();
          this.settleIdle();
        });
    }
  }

  /**
   * The oldest queued job; but while the app is down because of one delivery's failures alone, another
   * delivery probes first: if the app takes it, that one event is the trouble (its retries then count and
   * end), and the others are not held behind it for its whole attempt ceiling.
   */
  private nextJob(): Job | undefined {
    const alone = this.health.down ? this.health.failingAlone : undefined;
    return (alone !== undefined ? this.memory.nextOther(alone) : undefined) ?? this.memory.next();
  }

  /** One attempt; a retry waits OUTSIDE the worker slot, then queues as due. */
  private async run(job: Job): Promise<void> {
    if (this.health.down) {
      // Probe a down app one request at a time, further apart while it stays down.
      const pause = this.backoff(this.health.failuresInARow - TARGET_DOWN_AFTER + 1);
      await this.clock.sleep(pause, this.stop.signal).catch(() => undefined);
    }
    const { delivery } = job;
    const n = ++job.attempts;
    const { status, error, ms, ...answer } = await this.post(delivery);
    const ok = status !== undefined && status >= 200 && status < 300;
    const failed = !ok && (status === undefined || RETRYABLE_STATUS(status));
    const certificate = error !== undefined && CERTIFICATE_ERRORS.has(error);
    const retryable = failed && !certificate && !this.stop.signal.aborted;
    if (!this.stop.signal.aborted) {
      // A failure counts against the event only while the app answers others: not while it is down (the
      // oldest event probes it alone then, so "others failing too" cannot be seen).
      if (failed && !this.health.down && !this.health.failingBroadly(delivery.id)) job.counted++;
      const noAnswer = failed && status === undefined ? noAnswerOf(error) : undefined;
      this.health.record(delivery.id, !failed, noAnswer);
      this.sayHealth();
    }
    if (certificate) this.sayCertificate(error);
    const why = certificate ? `${CERTIFICATE_NOT_TRUSTED} (${error})` : error;
    const outcome = { attempt: n, ok, status, ms, error: why, ...answer };
    if (retryable && job.counted < this.maxAttempts && n < this.attemptCeiling)
      return this.retryLater(job, outcome);
    this.memory.release(job);
    this.finish(delivery, outcome);
  }

  /** POST the body and headers as received; a failure is returned, never thrown. */
  private async post(delivery: Delivery): Promise<Omit<Outcome, "attempt" | "ok">> {
    const headers: Record<string, string> = {};
    for (const name of FORWARDED_HEADERS) {
      const value = delivery.headers[name];
      if (value !== undefined) headers[name] = value;
    }
    const { clock, stop } = this;
    const started = clock.now();
    const limit = deadline(this.timeoutMs, stop.signal);
    try {
      const res = await request(new URL(this.url), {
        method: "POST",
        headers,
        body: delivery.body,
        dispatcher: this.agent,
        signal: limit.signal,
      });
      const status = res.statusCode;
      if (status >= 200 && status < 300) {
        await res.body.dump().catch(() => undefined);
        return { status, ms: clock.now() - started };
      }
      // Why the app refused: the start of its answer (a body that fails mid-way keeps what arrived).
      const said = await readResponseExcerpt(res.body).catch(() => undefined);
      const body = said ? { responseBody: said.text, responseTruncated: said.truncated } : {};
      return { status, ms: clock.now() - started, ...body };
    } catch (err) {
      return {
        error: stop.signal.aborted ? FORWARDER_CLOSED : describeError(err),
        ms: clock.now() - started,
      };
    } finally {
      limit.clear();
    }
  }

  /**
   * Report the failed attempt, wait out the backoff without holding a slot, then queue the job as due. While
   * the app is down the job queues at once: the single probe's own pause paces it (run()).
   */
  private retryLater(job: Job, outcome: Outcome): void {
    const { delivery } = job;
    if (this.health.down) {
      const pause = this.backoff(this.health.failuresInARow - TARGET_DOWN_AFTER + 1);
      this.report({ ...this.finalResult(delivery, outcome), final: false, retryInMs: pause });
      this.memory.requeue(job);
      return;
    }
    const wait = this.backoff(outcome.attempt);
    this.report({ ...this.finalResult(delivery, outcome), final: false, retryInMs: wait });
    this.waiting++;
    this.clock.sleep(wait, this.stop.signal).then(
      () => {
        this.waiting--;
        this.memory.requeue(job);
        this.pump();
      },
      () => {
        this.waiting--;
        this.memory.release(job);
        const { attempt } = outcome;
        this.finish(delivery, { attempt, ok: false, status: undefined, ms: 0, error: FORWARDER_CLOSED });
        this.settleIdle();
      },
    );
  }

  /** Read bodies back from the journal when the memory queue runs low. */
  private refill(): void {
    const { backlog, memory } = this;
    if (!backlog || this.loading || this.refillTimer || backlog.size === 0) return;
    if (memory.freshCount >= REFILL_PER_WORKER * this.concurrency) return;
    const roomCount = memory.countLimit - memory.held;
    const roomBytes = memory.byteLimit - memory.heldBytes;
    if (memory.held > 0 && (roomCount <= 0 || roomBytes <= 0)) return;
    this.loading = true;
    backlog
      .load(Math.max(1, roomCount), Math.max(1, roomBytes))
      .then(
        (load) => this.admitLoaded(load),
        (err: unknown) => {
          this.notice(
            `Could not read the journal to forward waiting events: ${err instanceof Error ? err.message : String(err)}`,
          );
          this.retryRefillLater();
        },
      )
      .finally(() => {
        this.loading = false;
        this.pump();
        this.settleIdle();
      });
  }

  private admitLoaded({ loaded, missing }: BacklogLoad): void {
    for (const d of loaded) {
      if (this.closed) this.finishUnsent(d, FORWARDER_CLOSED);
      else this.memory.admit(d);
    }
    for (const ref of missing) this.finishUnsent(ref, "not found in the journal any more");
    if (loaded.length === 0 && missing.length === 0) this.retryRefillLater();
  }

  private retryRefillLater(): void {
    if (this.closed) return;
    // Real time, not the injected clock: this only paces file reads.
    this.refillTimer = setTimeout(() => {
      this.refillTimer = undefined;
      this.pump();
    }, REFILL_RETRY_MS);
  }

  private finalResult(delivery: Pick<Delivery, "id" | "event">, outcome: Outcome): ForwardResult {
    return { id: delivery.id, event: delivery.event, url: this.url, ...outcome, final: true };
  }

  /** Report the last result of a delivery; a failure is explained (those at close in one notice). */
  private finish(delivery: Pick<Delivery, "id" | "event" | "receivedAt">, outcome: Outcome): void {
    this.report(this.finalResult(delivery, outcome));
    if (outcome.ok) return;
    if (outcome.error === FORWARDER_CLOSED) this.closedIds.push(delivery.id);
    else this.sayGaveUp(delivery, outcome);
  }

  /** A delivery that ends without any attempt. */
  private finishUnsent(delivery: Pick<Delivery, "id" | "event" | "receivedAt">, error: string): void {
    this.finish(delivery, { attempt: 0, ok: false, ms: 0, error });
  }

  /** No room in memory, nor in the backlog. */
  private refuse(delivery: Delivery): false {
    if (this.backlog) {
      this.finishUnsent(delivery, "forward backlog full (the event is in the journal)");
      return false;
    }
    this.notice(
      `Dropped the forward of ${delivery.event} ${delivery.id}: ${this.memory.held} forward(s) already wait in memory ` +
        "and there is no journal (--no-journal) to keep more.",
    );
    this.finishUnsent(delivery, "forward queue full (no journal: the event was dropped)");
    return false;
  }

  // What the user is told, in plain language.

  /** With `since` (when the first of them arrived), an identical body from an earlier session is left out. */
  private replayCommand(ids: string[], since?: string): string {
    const journal = this.backlog ? shellWord(this.backlog.journalPath) : "";
    const from = since !== undefined ? ` --since ${shellWord(since)}` : "";
    const key = replaySecretWords(this.replaySecret)
      .map((word) => ` ${shellWord(word)}`)
      .join("");
    return `certwh replay --journal ${journal} --to ${shellWord(this.url)}${key}${from}${ids.map((id) => ` --id ${id}`).join("")}`;
  }

  /** " <sentence>" when replayed events would carry no key, else "". */
  private noKeyNote(): string {
    const note = noKeyNote(this.replaySecret);
    return note ? ` ${note}` : "";
  }

  private sayGaveUp(delivery: Pick<Delivery, "id" | "event" | "receivedAt">, outcome: Outcome): void {
    const why =
      outcome.status !== undefined
        ? `your app answered ${outcome.status}`
        : forwardErrorWords(outcome.error ?? "error");
    this.notice(
      this.backlog
        ? `Gave up forwarding ${delivery.event} ${delivery.id} (${why}). It is in the journal: \`${this.replayCommand([delivery.id], delivery.receivedAt)}\` re-delivers it.${this.noKeyNote()}`
        : `Gave up forwarding ${delivery.event} ${delivery.id} (${why}). It was not journaled (--no-journal), so it cannot be replayed.`,
    );
  }

  /** Once per target: its certificate is not trusted, and what to do about it. */
  private sayCertificate(code: string): void {
    if (this.saidCertificate) return;
    this.saidCertificate = true;
    const what = isLoopbackUrl(this.url)
      ? "If it is your app's self-signed certificate, add --skip-verify (allowed for apps on this computer only)."
      : "Fix its certificate: --skip-verify is allowed for apps on this computer only.";
    this.notice(
      `Your app at ${this.url} presented a TLS certificate that is not trusted (${code}), so the event was not sent to it. ${what}`,
    );
  }

  /** Tell the user once when the app stops answering, and once when it is back. */
  private sayHealth(): void {
    const { health, url } = this;
    if (this.quiet) return;
    if (health.down && !this.saidDown) {
      this.saidDown = true;
      this.notice(
        `Your app at ${url} keeps failing (${health.failuresInARow} failed deliveries in a row). ${this.pending} ` +
          `forward(s) wait${this.backlog ? " (every event is in the journal)" : ""} and are retried one at a time, ` +
          `the oldest first (up to ${this.attemptCeiling} tries each).`,
      );
    } else if (this.saidDown && health.failuresInARow === 0) {
      this.saidDown = false;
      this.notice(`Your app at ${url} answers again; forwarding the ${this.pending} waiting event(s).`);
    }
  }

  private sayUnfinished(ids: string[]): void {
    const how =
      ids.length <= 5
        ? `\`${this.replayCommand(ids)}\` re-delivers them`
        : `\`${this.replayCommand([])} --id <id>\` re-delivers them (their ids are in the forward results)`;
    this.notice(
      this.backlog
        ? `${ids.length} forward(s) to ${this.url} had not finished when forwarding stopped. They are in the journal: ${how}.${this.noKeyNote()}`
        : `${ids.length} forward(s) to ${this.url} had not finished when forwarding stopped; there is no journal to replay them from.`,
    );
  }
}
