// listen's run of the ownership handshake: runVerification (test → send-challenge → token → check-challenge
// → activate) with the token taken from listen's own receiver instead of a prompt. Expired or refused tokens
// lead to a new challenge a bounded number of times, then a TimeoutError (exit 6) that says how to resume.

import { ApiError } from "../api/errors.js";
import type { WebhookApi } from "../api/types.js";
import { TimeoutError } from "../errors.js";
import type { Clock } from "../util/clock.js";
import { runVerification } from "./flow.js";
import type { VerificationStage } from "./stages.js";
import type { TokenQueue } from "./token-queue.js";

interface VerifyInput {
  api: WebhookApi;
  webhookId: number;
  endpoint: string;
  secret: string;
  clock: Clock;
  signal: AbortSignal;
  tokens: TokenQueue;
  windowMs?: number;
  maxChallenges: number;
  onStage(stage: VerificationStage): void;
}

function resumeHint(webhookId: number, endpoint: string): string {
  return (
    `Webhook ${webhookId} stays pending. Run \`certwh listen\` again, or, with a receiver answering at ` +
    `${endpoint}, run \`certwh challenge\` and then \`certwh verify --token <token>\` with the token it receives.`
  );
}

export async function verifyEndpoint(input: VerifyInput): Promise<void> {
  const { tokens, clock, webhookId } = input;
  tokens.open(webhookId);
  try {
    await runVerification({
      api: input.api,
      webhookId,
      endpoint: input.endpoint,
      secret: input.secret,
      clock,
      signal: input.signal,
      maxChallenges: input.maxChallenges,
      windowMs: input.windowMs,
      settleActivation: true,
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
        input.onStage(stage);
      },
    });
  } catch (err) {
    if (err instanceof TimeoutError) {
      throw new TimeoutError(
        `No challenge token arrived at the receiver within its window, ${input.maxChallenges} time(s).`,
        { hint: resumeHint(webhookId, input.endpoint), cause: err },
      );
    }
    if (err instanceof ApiError && err.hasCode("webhook_invalid_token")) {
      throw new TimeoutError(
        `CertCentral refused the challenge tokens (webhook_invalid_token), ${input.maxChallenges} time(s).`,
        { hint: resumeHint(webhookId, input.endpoint), code: "webhook_invalid_token", cause: err },
      );
    }
    throw err;
  } finally {
    tokens.close();
  }
}
