// What listen does with each accepted event once the receiver has journaled and acknowledged it: report it,
// forward it (--forward-to), run a command (--exec), write the chain (--save-chain), and check --until.
// Everything here is off the request path; forward and exec are bounded queues with their own limits.
// The handshake deliveries (test_webhook_endpoint, challenge_webhook_endpoint) are reported but not passed on:
// certwh completes the challenge itself, and an app that submitted the token too would spend it.

import { HANDSHAKE_EVENTS } from "../events/catalogue.js";
import type { AcceptedDelivery, AcceptRefusal } from "../receiver/outcomes.js";
import type { Clock } from "../util/clock.js";
import { fileError, isFsError } from "../util/fs-error.js";
import { createExecRunner, type ExecResult, execReport } from "./exec.js";
import { createExecTally } from "./exec-tally.js";
import { createForwardTargets } from "./forward-targets.js";
import type { ForwardResult } from "./forward-types.js";
import { isoTime } from "./iso-time.js";
import { saveChain } from "./save-chain.js";
import type { ListenEvent, ListenOptions } from "./types.js";
import { createUnfinishedLog } from "./unfinished.js";
import { createUntil } from "./until.js";

// How the dispatcher's events and results read as listen's NDJSON lines (snake_case, optional fields only
// when they carry something).

type Line<T extends ListenEvent["type"]> = Extract<ListenEvent, { type: T }>;

/**
 * A copy with ordinary objects: the receiver's null-prototype objects serialise the same, but a plain copy
 * keeps consumers simple. Walks the parsed JSON once instead of a stringify + parse round trip. The receiver
 * has already dropped `__proto__`/`constructor`/`prototype` keys; they are skipped here too, so an assignment
 * can never set a prototype.
 */
function plain(value: unknown): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return value.map(plain);
  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(source)) {
    if (key === "__proto__" || key === "constructor" || key === "prototype") continue;
    const item = source[key];
    if (item !== undefined) out[key] = plain(item);
  }
  return out;
}

/** The `event` line of an accepted delivery; `id` is its journal id. */
function eventLine(d: AcceptedDelivery, id: string): Line<"event"> {
  return {
    type: "event",
    event: d.event.name,
    data: plain(d.payload.data) ?? null,
    received_at: isoTime(d.receivedAt),
    id,
    known: d.known,
    ...(d.repeatOf ? { repeat: true, first_received_at: isoTime(d.repeatOf.firstReceivedAt) } : {}),
    ...(d.handshakeKey ? { handshake_key: d.handshakeKey } : {}),
  };
}

function forwardLine(r: ForwardResult): Line<"forward"> {
  return {
    type: "forward",
    id: r.id,
    event: r.event,
    url: r.url,
    attempt: r.attempt,
    ok: r.ok,
    ...(r.status !== undefined ? { status: r.status } : {}),
    ms: r.ms,
    ...(r.error !== undefined ? { error: r.error } : {}),
    final: r.final,
    ...(r.retryInMs !== undefined ? { retry_in_ms: r.retryInMs } : {}),
    ...(r.responseBody !== undefined
      ? { response_body: r.responseBody, response_truncated: r.responseTruncated === true }
      : {}),
  };
}

function execLine(r: ExecResult): Line<"exec"> {
  return { type: "exec", id: r.id, event: r.event, ...execReport(r) };
}

/** The listen options the dispatcher acts on (with a journal, forwards beyond the memory budget wait in it). */
interface DispatchOptions
  extends Pick<
    ListenOptions,
    "forwardTo" | "skipVerify" | "journalPath" | "exec" | "saveChainDir" | "until" | "secret" | "replaySecret"
  > {
  clock: Clock;
  env?: NodeJS.ProcessEnv;
  emit(event: ListenEvent): void;
  /** Called once when an event satisfies --until. */
  onUntil(): void;
}

export interface Dispatcher {
  /**
   * Without a journal: keep room for the delivery in the forward and exec queues until handle() takes it,
   * or say why there is none (the receiver then answers 503 and CertCentral retries later).
   */
  reserve(delivery: AcceptedDelivery): AcceptRefusal | undefined;
  handle(delivery: AcceptedDelivery): void;
  /** Let queued forwards, commands and chain writes finish (bounded by their own timeouts). */
  drain(): Promise<void>;
  /** Forwards not finished yet (queued, waiting for a retry, in flight). */
  readonly pendingForwards: number;
  /** The session is stopping (quiets the forwarder's app-down/up notices). */
  stopping(): void;
  close(): Promise<void>;
}

/** --until: a check for each handled event; the first match ends the session (once). */
function untilWatch(o: DispatchOptions): (event: string, payload: unknown, chain?: Promise<void>) => void {
  const until = o.until ? createUntil(o.until) : undefined;
  let met = false;
  return (event, payload, chain) => {
    if (!until || met || !until(payload)) return;
    met = true;
    const orderId = o.until?.orderId;
    // This event's chain files are written (and reported) first: a script acting on `until` reads them.
    void Promise.resolve(chain).then(() => {
      o.emit({ type: "until", event, ...(orderId !== undefined ? { order_id: orderId } : {}) });
      o.onUntil();
    });
  };
}

export function createDispatcher(o: DispatchOptions): Dispatcher {
  const checkUntil = untilWatch(o);
  const forwardUrls = o.forwardTo ?? [];
  // Work handed on that did not finish (refused, or cut short at exit): summed up once at close.
  const unfinished = createUnfinishedLog(o);
  const forwarder =
    forwardUrls.length > 0
      ? createForwardTargets({
          urls: forwardUrls,
          skipVerify: o.skipVerify,
          clock: o.clock,
          journalPath: o.journalPath,
          replaySecret: o.replaySecret,
          noticeUnfinished: false, // the summary at close names them, with exec runs
          onNotice: (message) => o.emit({ type: "warning", message }),
          onResult: (r) => {
            unfinished.forwardResult(r);
            o.emit(forwardLine(r));
          },
        })
      : undefined;
  const execTally = createExecTally(o);
  const runner = o.exec
    ? createExecRunner({
        command: o.exec,
        clock: o.clock,
        env: o.env,
        secret: o.secret,
        onResult: (r) => {
          unfinished.execResult(r);
          execTally.count(r);
          o.emit(execLine(r));
        },
      })
    : undefined;
  // Room promised by reserve() and not yet taken by handle(), by digest: the body's bytes. Promised room
  // counts as used, so two deliveries arriving together are never both promised the last free place.
  const reserved = new Map<string, number>();
  let reservedBytes = 0;
  // --save-chain writes under way, so drain() and close() can wait for them.
  const chainWrites = new Set<Promise<void>>();

  function reserve(d: AcceptedDelivery): AcceptRefusal | undefined {
    // A handshake is not passed on, so it needs no room; the same body again before it was handled shares
    // the room already promised.
    if (HANDSHAKE_EVENTS.has(d.event.name) || reserved.has(d.digest)) return undefined;
    const bytes = d.body.length;
    if (forwarder && !forwarder.canHold(bytes, { count: reserved.size, bytes: reservedBytes }))
      return { status: 503, detail: "forward_queue_full", retryAfterSeconds: 60 };
    if (runner && !runner.hasRoom(reserved.size + 1))
      return { status: 503, detail: "exec_queue_full", retryAfterSeconds: 60 };
    reserved.set(d.digest, bytes);
    reservedBytes += bytes;
    return undefined;
  }

  /** Write the chain and report it (or why it could not be written); never rejects. */
  function writeChain(dir: string, payload: unknown): Promise<void> {
    const job = saveChain(dir, payload).then(
      (saved) => {
        if (!saved) return;
        const orderId = Number(saved.dir.split(/[\\/]/).pop());
        o.emit({ type: "chain_saved", order_id: orderId, dir: saved.dir, files: saved.files });
      },
      (err: unknown) => o.emit({ type: "warning", message: chainWarning(err, dir) }),
    );
    chainWrites.add(job);
    void job.finally(() => chainWrites.delete(job));
    return job;
  }

  function handle(d: AcceptedDelivery): void {
    // Its room is taken now, no longer promised.
    reservedBytes -= reserved.get(d.digest) ?? 0;
    reserved.delete(d.digest);
    const name = d.event.name;
    // The receiver's digest is the body's SHA-256: its first 16 characters are the journal id.
    const id = d.digest.slice(0, 16);
    o.emit(eventLine(d, id));
    if (HANDSHAKE_EVENTS.has(name)) return;
    unfinished.handed(id, d.receivedAt, forwardUrls.length + (runner ? 1 : 0));
    // X-WEBHOOK-KEY goes on to the forward targets: the value the receiver just checked.
    forwarder?.enqueue({
      id,
      event: name,
      body: d.body,
      receivedAt: isoTime(d.receivedAt),
      headers: { ...d.headers, "x-webhook-key": o.secret },
    });
    runner?.enqueue({ id, event: name, body: d.body, data: d.payload.data, receivedAt: d.receivedAt });
    const chain = o.saveChainDir ? writeChain(o.saveChainDir, d.payload) : undefined;
    checkUntil(name, d.payload, chain);
  }

  return {
    reserve,
    handle,
    get pendingForwards() {
      return forwarder?.pending ?? 0;
    },
    stopping() {
      forwarder?.stopping();
    },
    async drain() {
      await Promise.all([forwarder?.drain(), runner?.drain(), ...chainWrites]);
    },
    async close() {
      await Promise.all([forwarder?.close(), runner?.close(), ...chainWrites]);
      // Once anything was passed on: a session that never got an event has nothing to sum up.
      const targets = forwarder?.summary() ?? [];
      if (targets.some((t) => t.events > 0)) o.emit({ type: "forward_summary", targets });
      const execs = execTally.summary();
      if (execs) o.emit(execs);
      const summary = unfinished.summary();
      if (summary) o.emit(summary);
    },
  };
}

function chainWarning(err: unknown, dir: string): string {
  return isFsError(err)
    ? fileError(err, err.path ?? dir, { what: "the certificate chain in", action: "write" }).message
    : `Could not save the certificate chain: ${err instanceof Error ? err.message : String(err)}`;
}
