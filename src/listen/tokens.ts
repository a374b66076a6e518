// Challenge tokens captured at listen's own receiver, handed to runVerification's awaitToken.
//
// A token is taken only while listen is verifying (a challenge it did not ask for may be forged or stale),
// only when data.webhook_id is listen's webhook, and only once: each token reaches check-challenge at most
// once per run (reliability-checklist items 10–11). The gate opens before send-challenge, not after: the
// sender may deliver the challenge before CertCentral's answer to send-challenge arrives.

import type { Clock } from "../util/clock.js";

export type TokenIgnoredReason = "unexpected" | "webhook_mismatch" | "no_token" | "token_seen";

export interface TokenQueue {
  /** Start accepting tokens for this webhook. */
  open(webhookId: number): void;
  /** Stop accepting tokens and drop the queued ones. */
  close(): void;
  /** Drop queued tokens (a new challenge is about to be sent: only its token will be valid). */
  clear(): void;
  offer(token: string | undefined, webhookId: number | undefined): "queued" | TokenIgnoredReason;
  /**
   * The next token, or "" once the deadline (on `clock`) has passed without one. Rejects with the
   * signal's reason when aborted. Bounded by the deadline.
   */
  next(deadline: number, signal: AbortSignal): Promise<string>;
}

export function createTokenQueue(clock: Clock): TokenQueue {
  const seen = new Set<string>();
  const queue: string[] = [];
  let openFor: number | undefined;
  let waiter: ((token: string) => void) | undefined;

  return {
    open(webhookId) {
      openFor = webhookId;
    },
    close() {
      openFor = undefined;
      queue.length = 0;
    },
    clear() {
      queue.length = 0;
    },
    offer(token, webhookId) {
      if (openFor === undefined) return "unexpected";
      if (webhookId !== openFor) return "webhook_mismatch";
      if (!token) return "no_token";
      if (seen.has(token)) return "token_seen";
      seen.add(token);
      if (waiter) waiter(token);
      else queue.push(token);
      return "queued";
    },
    next(deadline, signal) {
      const queued = queue.shift();
      if (queued !== undefined) return Promise.resolve(queued);
      return new Promise<string>((resolve, reject) => {
        const stopSleep = new AbortController();
        const finish = (token: string) => {
          waiter = undefined;
          stopSleep.abort();
          signal.removeEventListener("abort", onAbort);
          resolve(token);
        };
        const onAbort = () => {
          waiter = undefined;
          stopSleep.abort();
          reject(signal.reason instanceof Error ? signal.reason : new Error("aborted"));
        };
        if (signal.aborted) return onAbort();
        signal.addEventListener("abort", onAbort, { once: true });
        waiter = finish;
        clock.sleep(Math.max(0, deadline - clock.now()), stopSleep.signal).then(
          () => finish(""),
          () => undefined,
        );
      });
    },
  };
}
