// Challenge tokens captured at listen's own receiver, handed to runVerification's awaitToken. The gate
// (token-gate.ts) opens before send-challenge, not after: the sender may deliver the challenge before
// CertCentral's answer to send-challenge arrives.

import type { Clock } from "../util/clock.js";
import { TokenGate, type TokenIgnoredReason } from "./token-gate.js";

export interface TokenQueue {
  /** Start accepting tokens for this webhook. */
  open(webhookId: number): void;
  /** Stop accepting tokens and drop the queued ones. */
  close(): void;
  /** Drop queued tokens (a new challenge is about to be sent: only its token will be valid). */
  clear(): void;
  offer(token: unknown, webhookId: unknown): "queued" | TokenIgnoredReason;
  /**
   * The next token, or "" once the deadline (on `clock`) has passed without one. Rejects with the
   * signal's reason when aborted. Bounded by the deadline.
   */
  next(deadline: number, signal: AbortSignal): Promise<string>;
}

export function createTokenQueue(clock: Clock): TokenQueue {
  const gate = new TokenGate();
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
      const verdict = gate.judge(
        openFor === undefined ? undefined : { webhookId: openFor },
        token,
        webhookId,
      );
      if (!verdict.taken) return verdict.reason;
      if (waiter) waiter(verdict.token);
      else queue.push(verdict.token);
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
