// Completes CertCentral's endpoint challenge (spec §8–§10, reliability-checklist items 10–12): takes tokens
// from challenge deliveries, submits each at most once with check-challenge, then activates. It runs outside
// the request: offer() only queues and returns at once, so the delivery is answered without waiting for the API.
import { ApiError } from "../api/errors.js";
import { changeStatus } from "../api/read-back.js";
import type { WebhookApi } from "../api/types.js";
import { isAmbiguousFailure } from "../api/webhooks.js";
import { type Clock, systemClock } from "../util/clock.js";
import { TokenGate, type TokenIgnoredReason } from "./token-gate.js";

// Bounds on what challenge deliveries (possibly forged and keyless, with handshakeOpen) can make the completer
// do: CertCentral sends one challenge at a time, so a real flow never comes near them, while a flood of forged
// tokens can no longer spend the account's API rate limit (spec §2.1: 100 requests per 5 s, then blocked).
/** Tokens waiting for their check-challenge call (not counting the one in flight). */
export const MAX_PENDING_TOKENS = 4;
/** At most this many tokens are taken (each costs one check-challenge call) per CHECK_WINDOW_MS. */
export const MAX_CHECKS_PER_WINDOW = 6;
export const CHECK_WINDOW_MS = 60_000;

/** Why a challenge delivery's token was not used: see token-gate.ts, and `queue_full`
 * (MAX_PENDING_TOKENS waiting), `rate_limited` (MAX_CHECKS_PER_WINDOW taken in CHECK_WINDOW_MS) or
 * `callback_failed` (the caller's expectChallenge or webhookId function threw). */
export type ChallengeIgnoredReason = TokenIgnoredReason | "queue_full" | "rate_limited" | "callback_failed";

/** What the completer needs of a challenge delivery: data.token and data.webhook_id as received. */
interface ChallengeDelivery {
  data: { token?: unknown; webhook_id?: unknown };
}

export type ChallengeResult =
  | { type: "ignored"; reason: ChallengeIgnoredReason }
  | { type: "queued"; position: number }
  /** check-challenge answered webhook_invalid_token; the next candidate (if any) is tried. */
  | { type: "token_rejected"; code: string; remaining: number }
  | { type: "verified" }
  | { type: "activated" }
  /** Every candidate was refused: the caller should send a new challenge (new tokens are still accepted). */
  | { type: "exhausted" }
  /** Any other failure. The token is not submitted again (a repeated check-challenge can turn a success into
   * webhook_invalid_token); the next challenge's token starts a new round by itself, no reset() needed. */
  | { type: "failed"; step: "check" | "activate"; error: unknown };

export type ChallengeState = "waiting" | "checking" | "verified" | "activated" | "failed";

export interface ChallengeCompleterOptions {
  /**
   * The network boundary: checkChallenge and activate, and getWebhook when given (an activate that is
   * refused or not answered is then checked by reading the webhook back).
   */
  api: Pick<WebhookApi, "checkChallenge" | "activate"> & Partial<Pick<WebhookApi, "getWebhook">>;
  /** The webhook to complete; a function when it is known only later (e.g. created after the receiver started). */
  webhookId: number | (() => number | undefined);
  /** True only once send-challenge succeeded in this run. Default: always true (production library mode, where
   * another process sends the challenge; the key and the webhook ID are then the guards). */
  expectChallenge?: () => boolean;
  /**
   * Call activate after a successful check (default true). With false, a check whose answer was lost is
   * reported `failed`: no read-back can tell whether the token was accepted (a verified webhook stays
   * `pending`, spec §14.2), and only activate would, so nothing is called after it.
   */
  activate?: boolean;
  onResult?: (result: ChallengeResult) => void;
  /** Aborts in-flight API calls (shutdown). */
  signal?: AbortSignal;
  /** For the CHECK_WINDOW_MS window (tests). */
  clock?: Clock;
}

export interface ChallengeCompleter {
  /** Checks a challenge delivery and queues its token; never waits for the API. */
  offer(event: ChallengeDelivery): ChallengeResult & { type: "ignored" | "queued" };
  readonly state: ChallengeState;
  /**
   * After `failed`: back to `waiting`. Not needed for new challenges (a new token after a failure starts a new
   * round by itself); already submitted tokens stay refused.
   */
  reset(): void;
  /** Resolves once no API call is in flight and the queue is empty (tests, shutdown). */
  whenIdle(): Promise<void>;
}

/** A webhook ID given as a number must be one CertCentral could send (e.g. not NaN from an unset variable). */
function checkWebhookId(webhookId: ChallengeCompleterOptions["webhookId"]): void {
  if (typeof webhookId === "function") return;
  if (typeof webhookId !== "number" || !Number.isSafeInteger(webhookId) || webhookId <= 0) {
    throw new TypeError(
      `The challenge's webhookId must be a positive integer (got ${String(webhookId)}); ` +
        "check the variable it is read from, or pass a function when the ID is known only later.",
    );
  }
}

export function createChallengeCompleter(options: ChallengeCompleterOptions): ChallengeCompleter {
  checkWebhookId(options.webhookId);
  const expect = options.expectChallenge ?? (() => true);
  const report = (result: ChallengeResult) => {
    try {
      options.onResult?.(result);
    } catch {
      // A reporting callback must not break the completion.
    }
  };
  const webhookId = () => (typeof options.webhookId === "function" ? options.webhookId() : options.webhookId);
  const clock = options.clock ?? systemClock;
  const gate = new TokenGate();
  /** Tokens waiting, each with its arrival number: a successful check clears only those that came before it. */
  const candidates: { token: string; seq: number }[] = [];
  let arrivals = 0;
  /** When the tokens of the current window were taken (at most MAX_CHECKS_PER_WINDOW entries). */
  let takenAt: number[] = [];
  let state: ChallengeState = "waiting";
  let running: Promise<void> | undefined;

  const ignore = (reason: ChallengeIgnoredReason) => {
    const result = { type: "ignored", reason } as const;
    report(result);
    return result;
  };

  /** Why one more token cannot be taken now, or undefined when it can (it is then counted). */
  function admit(): "queue_full" | "rate_limited" | undefined {
    if (candidates.length >= MAX_PENDING_TOKENS) return "queue_full";
    const now = clock.now();
    takenAt = takenAt.filter((t) => now - t < CHECK_WINDOW_MS);
    if (takenAt.length >= MAX_CHECKS_PER_WINDOW) return "rate_limited";
    takenAt.push(now);
    return undefined;
  }

  /** After a check that succeeded (or may have): the other guesses at the same challenge, queued before the
   * check started, are not needed; a token that arrived since may belong to a newer challenge and stays. */
  function dropRound(startedAt: number): void {
    const later = candidates.filter((c) => c.seq >= startedAt);
    candidates.splice(0, candidates.length, ...later);
  }

  /** activate, where an active webhook (kept active by an update, a retried activate applied) is success. */
  async function activate(id: number): Promise<unknown> {
    try {
      await changeStatus(options.api, id, "activate", { signal: options.signal });
      return undefined;
    } catch (error) {
      return error ?? new Error("activate failed");
    }
  }

  /** Submits one token, then activates after a 204; reports each step and leaves `state` at the last. */
  async function complete(id: number, token: string): Promise<void> {
    state = "checking";
    const startedAt = arrivals;
    try {
      await options.api.checkChallenge(id, token, { signal: options.signal });
    } catch (error) {
      if (error instanceof ApiError && error.hasCode("webhook_invalid_token")) {
        state = "waiting";
        report({ type: "token_rejected", code: "webhook_invalid_token", remaining: candidates.length });
        if (candidates.length === 0) report({ type: "exhausted" });
        return;
      }
      // The answer was lost (timeout, network, 5xx): the token may have been accepted. It is never submitted
      // again; activate tells (CertCentral refuses it for an unverified webhook, and the read-back confirms).
      if (options.activate !== false && isAmbiguousFailure(error) && !options.signal?.aborted) {
        if ((await activate(id)) === undefined) {
          dropRound(startedAt);
          state = "activated";
          report({ type: "activated" });
          return;
        }
      }
      state = "failed";
      report({ type: "failed", step: "check", error });
      return;
    }
    state = "verified";
    dropRound(startedAt);
    report({ type: "verified" });
    if (options.activate === false) return;
    const error = await activate(id);
    if (error !== undefined) {
      state = "failed";
      report({ type: "failed", step: "activate", error });
      return;
    }
    state = "activated";
    report({ type: "activated" });
  }

  // Every taken token is submitted once, in arrival order; none is ever held back by an earlier failure:
  // an unattended endpoint must complete each later challenge without anyone calling reset(). Bounded: each
  // pass takes one token off the queue, and the gate lets each token in only once.
  async function drain(): Promise<void> {
    while (candidates.length > 0) {
      const { token } = candidates.shift() as { token: string; seq: number };
      let id: number;
      try {
        id = webhookId() as number; // the ID was checked in offer()
      } catch (error) {
        state = "failed";
        report({ type: "failed", step: "check", error });
        continue;
      }
      await complete(id, token);
    }
  }

  function kick(): void {
    if (running || candidates.length === 0) return;
    running = drain().finally(() => {
      running = undefined;
      kick(); // a token may have arrived while the last call was settling
    });
  }

  return {
    get state() {
      return state;
    },
    offer(event) {
      let expected: { webhookId: number | undefined } | undefined;
      try {
        expected = expect() ? { webhookId: webhookId() } : undefined;
      } catch {
        // The caller's function: its bug must not turn an answered delivery into a failed one.
        return ignore("callback_failed");
      }
      const verdict = gate.judge(expected, event.data.token, event.data.webhook_id, admit);
      if (!verdict.taken) return ignore(verdict.reason);
      // A new token while nothing is in flight is a new challenge (update-url, a re-verification, a retry
      // after a failure): a long-running production receiver must complete it too.
      if (!running) state = "waiting";
      candidates.push({ token: verdict.token, seq: arrivals++ });
      const result = { type: "queued", position: candidates.length } as const;
      report(result);
      queueMicrotask(kick);
      return result;
    },
    reset() {
      if (state === "failed") state = "waiting";
      queueMicrotask(kick);
    },
    async whenIdle() {
      for (let i = 0; i < 1000; i++) {
        await new Promise((r) => setImmediate(r));
        if (!running && candidates.length === 0) return;
        if (running) await running;
      }
    },
  };
}
