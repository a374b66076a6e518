// listen's run of the ownership handshake: runVerification (test → send-challenge → token → check-challenge
// → activate) with the token taken from listen's own receiver instead of a prompt. Expired or refused tokens
// lead to a new challenge a bounded number of times, then a TimeoutError (exit 6) that says how to resume.
// The token queue's gate (token-gate.ts) opens before send-challenge, not after: the sender may deliver the
// challenge before CertCentral's answer to send-challenge arrives.

import { ApiError } from "../api/errors.js";
import { TimeoutError } from "../errors.js";
import { abortReason, type Clock } from "../util/clock.js";
import { runVerification, type VerificationOptions } from "./flow.js";
import type { VerificationStage } from "./stages.js";
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
          if (waiter === finish) waiter = undefined; // a late timer must not unhook a newer next()
          stopSleep.abort();
          signal.removeEventListener("abort", onAbort);
          resolve(token);
        };
        const onAbort = () => {
          if (waiter === finish) waiter = undefined;
          stopSleep.abort();
          reject(abortReason(signal));
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

/** Challenges sent in total per verification: the first one plus two new ones after an expiry or refusal. */
const MAX_CHALLENGES = 3;

interface VerifyInput
  extends Pick<VerificationOptions, "api" | "webhookId" | "endpoint" | "secret" | "clock" | "windowMs"> {
  signal: AbortSignal;
  tokens: TokenQueue;
  onStage(stage: VerificationStage): void;
}

function resumeHint(webhookId: number, endpoint: string): string {
  return (
    `Webhook ${webhookId} stays pending. Run \`certwh listen\` again, or, with a receiver answering at ` +
    `${endpoint}, run \`certwh challenge\` and then \`certwh verify --token <token>\` with the token it receives.`
  );
}

export async function verifyEndpoint({ tokens, onStage, ...input }: VerifyInput): Promise<void> {
  const { clock, webhookId } = input;
  tokens.open(webhookId);
  try {
    await runVerification({
      ...input,
      settleActivation: true,
      maxChallenges: MAX_CHALLENGES,
      awaitToken: async ({ deadline, signal }) => {
        // "" means the window ran out; a timer firing a hair early must not submit an empty token.
        for (let i = 0; i < 1000; i++) {
          const token = await tokens.next(deadline, signal);
          if (token || clock.now() >= deadline) return token;
        }
        return "";
      },
      onStage: (stage) => {
        // A new challenge follows: only its token will be valid, so older queued ones are dropped.
        if (stage.stage === "token_expired" || stage.stage === "token_refused") tokens.clear();
        onStage(stage);
      },
    });
  } catch (err) {
    if (err instanceof TimeoutError) {
      throw new TimeoutError(
        `No challenge token arrived at the receiver within its window, ${MAX_CHALLENGES} time(s).`,
        { hint: resumeHint(webhookId, input.endpoint), cause: err },
      );
    }
    if (err instanceof ApiError && err.hasCode("webhook_invalid_token")) {
      throw new TimeoutError(
        `CertCentral refused the challenge tokens (webhook_invalid_token), ${MAX_CHALLENGES} time(s).`,
        { hint: resumeHint(webhookId, input.endpoint), code: "webhook_invalid_token", cause: err },
      );
    }
    throw err;
  } finally {
    tokens.close();
  }
}
