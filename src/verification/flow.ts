// CertCentral's ownership handshake: test event → send-challenge → token → check-challenge → activate.
// Shared by create, update-url, verify and listen. The token source is a parameter: create and update-url prompt
// for it, listen captures it at its own receiver. This module prints nothing; it reports stages through
// a callback and throws the client's errors unchanged (the caller knows which resume hint fits).
//
// Reliability rules (reliability-checklist items 14 and 18): send-challenge and check-challenge are each
// called once per step and never repeated here; a NEW challenge is sent only when the caller allows
// more than one (maxChallenges), as a deliberate step after an expired or refused token.

import { ApiError } from "../api/errors.js";
import { changeStatus } from "../api/read-back.js";
import type { WebhookApi } from "../api/types.js";
import { TimeoutError } from "../errors.js";
import { abortReason, type Clock } from "../util/clock.js";
import { CHALLENGE_WINDOW_MS, type VerificationStage } from "./stages.js";

export interface AwaitTokenArgs {
  webhookId: number;
  endpoint: string;
  /** Epoch ms (on the flow's clock) after which the token is no longer valid. */
  deadline: number;
  /** Aborted when the run is interrupted. */
  signal: AbortSignal;
}

export interface VerificationOptions {
  api: WebhookApi;
  webhookId: number;
  endpoint: string;
  /** Sent with the test event so a receiver that checks X-WEBHOOK-KEY accepts it. */
  secret?: string;
  clock: Clock;
  signal?: AbortSignal;
  /**
   * Where the token comes from. Resolve with the token as received (it is trimmed here). Without it the
   * flow stops after sending the challenge (outcome "challenge_sent") and the caller tells the user how
   * to finish (`certwh verify --token …`).
   */
  awaitToken?: (args: AwaitTokenArgs) => Promise<string>;
  onStage?: (stage: VerificationStage) => void;
  /** Activate after verification. Default true. */
  activate?: boolean;
  /** How many challenges may be sent in total (default 1: never a second one). */
  maxChallenges?: number;
  /**
   * Tokens accepted per challenge (default 1). With more, a token CertCentral refuses
   * (webhook_invalid_token) is asked for again while the window lasts, without a new challenge: a person
   * may have pasted it wrongly, and the challenge's token is still valid.
   */
  maxTokenAttempts?: number;
  /** Token validity, default 30 minutes. */
  windowMs?: number;
  /**
   * Let an activate that is already sent finish (bounded by the request timeout) even when the run is
   * interrupted, so the caller knows whether the webhook ended active and can undo it (listen's on-exit).
   * An aborted request could still be applied by CertCentral after certwh stopped looking.
   */
  settleActivation?: boolean;
}

export interface VerificationResult {
  outcome: "challenge_sent" | "verified" | "activated";
  /** Deadline of the last challenge sent. */
  deadline?: number;
  challengesSent: number;
}

const iso = (ms: number) => new Date(ms).toISOString();

export async function runVerification(opts: VerificationOptions): Promise<VerificationResult> {
  const { api, webhookId, endpoint, clock } = opts;
  const signal = opts.signal ?? new AbortController().signal;
  const report = opts.onStage ?? (() => {});
  const windowMs = opts.windowMs ?? CHALLENGE_WINDOW_MS;
  const maxChallenges = Math.max(1, opts.maxChallenges ?? 1);
  const call = { signal };

  report({ stage: "testing", endpoint });
  await api.testEndpoint(opts.secret ? { endpoint, secret: opts.secret } : { endpoint }, call);
  report({ stage: "tested", endpoint });

  let challengesSent = 0;
  let deadline = 0;
  for (;;) {
    if (signal.aborted) throw abortReason(signal);
    // The window is measured from just before the request: CertCentral's clock starts when it issues
    // the token, so this errs on the safe side.
    const sentAt = clock.now();
    await api.sendChallenge(webhookId, call);
    challengesSent += 1;
    deadline = sentAt + windowMs;
    report({
      stage: "challenge_sent",
      webhook_id: webhookId,
      endpoint,
      deadline: iso(deadline),
      deadline_ms: deadline,
      attempt: challengesSent,
      max_attempts: maxChallenges,
    });

    if (!opts.awaitToken) return { outcome: "challenge_sent", deadline, challengesSent };

    const canResend = challengesSent < maxChallenges;
    const outcome = await submitToken(opts, { webhookId, endpoint, deadline, signal }, canResend, report);
    if (outcome === "verified") break;
    if (outcome === "expired") {
      if (challengesSent < maxChallenges) continue;
      throw new TimeoutError("The 30-minute window of the challenge token ran out before it was submitted.", {
        hint: "Send a new token with `certwh challenge`, then run `certwh verify --token <token>`.",
      });
    }
    // "refused": the last token was refused and a new challenge may be sent.
  }
  report({ stage: "verified", webhook_id: webhookId });

  if (opts.activate === false) return { outcome: "verified", deadline, challengesSent };
  if (signal.aborted) throw abortReason(signal);
  // Activate only if needed: CertCentral may keep a re-pointed webhook active (spec §17 #13) and refuse to
  // activate an active one, and a retried activate may be refused after the first was applied. Either
  // way changeStatus reads the webhook back, and an active webhook is success.
  const change = await changeStatus(api, webhookId, "activate", {
    signal: opts.settleActivation ? undefined : signal,
    clock,
  });
  report({ stage: "activated", webhook_id: webhookId, ...(change.note ? { note: change.note } : {}) });
  return { outcome: "activated", deadline, challengesSent };
}

/**
 * Ask for the token of one challenge and submit it: check-challenge once per token. A refused token is
 * asked for again (maxTokenAttempts, while the window lasts); after the last refusal the ApiError is
 * thrown, unless another challenge may be sent (canResend → "refused").
 */
async function submitToken(
  opts: VerificationOptions,
  args: AwaitTokenArgs,
  canResend: boolean,
  report: (stage: VerificationStage) => void,
): Promise<"verified" | "expired" | "refused"> {
  const { api, clock } = opts;
  const { webhookId, deadline, signal } = args;
  const awaitToken = opts.awaitToken as NonNullable<VerificationOptions["awaitToken"]>;
  const maxAttempts = Math.max(1, opts.maxTokenAttempts ?? 1);
  for (let attempt = 1; ; attempt++) {
    const timeLeft = Math.max(0, deadline - clock.now());
    report({
      stage: "waiting",
      webhook_id: webhookId,
      deadline: iso(deadline),
      deadline_ms: deadline,
      time_left_ms: timeLeft,
    });
    // Surrounding whitespace only: the token is opaque (spec §17 #17).
    const token = (await awaitToken(args)).trim();
    if (signal.aborted) throw abortReason(signal);
    if (clock.now() >= deadline) {
      // Never submit a token older than its window: CertCentral would refuse it anyway.
      report({ stage: "token_expired", webhook_id: webhookId, resend: canResend });
      return "expired";
    }
    try {
      await api.checkChallenge(webhookId, token, { signal });
      return "verified";
    } catch (err) {
      if (!(err instanceof ApiError && err.hasCode("webhook_invalid_token"))) throw err;
      if (attempt < maxAttempts && clock.now() < deadline) {
        const retry = { attempts_left: maxAttempts - attempt };
        report({ stage: "token_refused", webhook_id: webhookId, retry, resend: false });
        continue;
      }
      if (canResend) {
        report({ stage: "token_refused", webhook_id: webhookId, resend: true });
        return "refused";
      }
      throw err;
    }
  }
}
