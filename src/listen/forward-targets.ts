// The set of --forward-to targets: every target gets every event, each through a forwarder of its own
// (forward.ts), so each has its own queue, journal-backed backlog, retries and health, and a target that
// is down never holds back the others. The memory budget is shared: each of n targets holds 1/n of it.
// This module also keeps the per-target counts for the summary listen prints when it stops.

import { isLoopbackUrl } from "../util/loopback.js";
import {
  createForwarder,
  type Delivery,
  FORWARDER_CLOSED,
  type Forwarder,
  type ForwarderOptions,
  MEMORY_BYTES,
  QUEUE_LIMIT,
} from "./forward.js";

/** Most --forward-to targets: each holds a share of the memory budget and requests of its own. */
export const MAX_FORWARD_TARGETS = 8;

/** What happened to the events passed to one target, counted from final results. */
export interface TargetSummary {
  url: string;
  /** Events passed to this target. */
  events: number;
  /** Answered 2xx. */
  delivered: number;
  /** Given up: a final refusal, attempts used up, a certificate not trusted, no room. */
  failed: number;
  /** Still queued or in flight when forwarding stopped (they are in the journal). */
  unfinished: number;
}

interface ForwardTargetsOptions extends Omit<ForwarderOptions, "url" | "skipVerify"> {
  urls: readonly string[];
  /** Accept self-signed certificates from https targets on this computer (never from others). */
  skipVerify?: boolean;
}

interface ForwardTargets {
  /** Hand the delivery to every target. */
  enqueue(delivery: Delivery): void;
  /** Forwards queued or in flight, over all targets. */
  readonly pending: number;
  /** Listen is stopping: no more health notices (the stop counts what is pending). */
  stopping(): void;
  /** Whether every target has room for a body of `bytes` beyond what is `reserved` (no journal). */
  canHold(bytes: number, reserved: { count: number; bytes: number }): boolean;
  drain(): Promise<void>;
  close(): Promise<void>;
  /** Counts per target, in the order the targets were given. */
  summary(): TargetSummary[];
}

/** Whether --skip-verify applies to this target: https on this computer. */
export function skipsVerify(url: string, skipVerify: boolean | undefined): boolean {
  return skipVerify === true && new URL(url).protocol === "https:" && isLoopbackUrl(url);
}

export function createForwardTargets(options: ForwardTargetsOptions): ForwardTargets {
  const {
    urls,
    skipVerify,
    onResult,
    queueLimit = QUEUE_LIMIT,
    memoryBytes = MEMORY_BYTES,
    ...shared
  } = options;
  const share = Math.max(1, urls.length);
  const counts = urls.map(
    (url): TargetSummary => ({ url, events: 0, delivered: 0, failed: 0, unfinished: 0 }),
  );
  const forwarders: Forwarder[] = urls.map((url, i) => {
    const count = counts[i] as TargetSummary;
    return createForwarder({
      ...shared,
      queueLimit: Math.max(1, Math.floor(queueLimit / share)),
      memoryBytes: Math.max(1, Math.floor(memoryBytes / share)),
      url,
      skipVerify: skipsVerify(url, skipVerify),
      onResult: (r) => {
        if (r.final) {
          if (r.ok) count.delivered++;
          else if (r.error === FORWARDER_CLOSED) count.unfinished++;
          else count.failed++;
        }
        onResult?.(r);
      },
    });
  });
  return {
    enqueue(delivery) {
      forwarders.forEach((f, i) => {
        (counts[i] as TargetSummary).events++;
        f.enqueue(delivery);
      });
    },
    get pending() {
      return forwarders.reduce((sum, f) => sum + f.pending, 0);
    },
    stopping() {
      for (const f of forwarders) f.stopping();
    },
    canHold: (bytes, reserved) => forwarders.every((f) => f.canHold(bytes, reserved)),
    async drain() {
      await Promise.all(forwarders.map((f) => f.drain()));
    },
    async close() {
      await Promise.all(forwarders.map((f) => f.close()));
    },
    summary: () => counts.map((c) => ({ ...c })),
  };
}
