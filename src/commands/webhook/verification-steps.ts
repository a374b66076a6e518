// The terminal side of the verification flow for create and update-url: stage lines on stderr, the
// token prompt (interactive) or the exact next command (scripts), and resume hints on failure.
// CLI-only: library code (listen) uses src/verification/ directly with its own token source and renderer.

import { ApiError } from "../../api/errors.js";
import { isAmbiguousFailure } from "../../api/webhooks.js";
import { InterruptedError, UsageError } from "../../errors.js";
import { reword } from "../../io/exit-codes.js";
import type { Output } from "../../io/output.js";
import { formatTimeLeft, stageLine } from "../../io/render-stage.js";
import { isLoopbackUrl } from "../../util/loopback.js";
import { isSlackWebhookUrl } from "../../util/slack.js";
import { type AwaitTokenArgs, runVerification, type VerificationResult } from "../../verification/flow.js";
import type { StageName } from "../../verification/stages.js";
import type { CommandContext } from "../context.js";
import { interruptedWithHint, TOKEN_MAY_BE_ACCEPTED } from "./change-failure.js";

export const VERIFY_COMMAND = "certwh verify --token <token>";

/** Blank answers accepted before giving up (the loop must end even if stdin keeps sending newlines). */
const MAX_TOKEN_PROMPTS = 20;

/** Tokens a person may paste for one challenge before certwh stops (each is one check-challenge). */
const MAX_TYPED_TOKENS = 3;

/**
 * The interactive token source: ask the person for the token, showing the time left as of each prompt.
 * A blank answer asks again (with the time left recomputed), until the window closes; the token is
 * otherwise opaque and returned as typed.
 */
function promptForToken(ctx: Pick<CommandContext, "prompt" | "clock" | "io">) {
  return async (args: AwaitTokenArgs): Promise<string> => {
    const where = isSlackWebhookUrl(args.endpoint)
      ? "from the Slack channel"
      : `received at ${args.endpoint}`;
    for (let asked = 1; ; asked++) {
      const left = formatTimeLeft(args.deadline - ctx.clock.now());
      const answer = await ctx.prompt.input(
        `Challenge token ${where} (${left} left):`,
        `\`${VERIFY_COMMAND}\``,
      );
      // After the window the flow reports the expiry itself, whatever was typed.
      if (answer.trim() !== "" || ctx.clock.now() >= args.deadline) return answer;
      if (asked >= MAX_TOKEN_PROMPTS) {
        throw new UsageError("No challenge token was given.", {
          hint: `Run \`${VERIFY_COMMAND}\` within its 30 minutes.`,
        });
      }
      ctx.io.warn("The token is empty: paste data.token of the challenge event.");
    }
  };
}

const SLACK_ENDPOINT_ERROR =
  "Slack did not accept CertCentral's message (HTTP non-2xx): the incoming-webhook URL may be wrong, revoked, " +
  "or its channel archived.";

/**
 * For a Slack URL, CertCentral posts a Slack message, so "the receiver did not answer" would be the wrong
 * explanation of webhook_endpoint_error. Returns the Slack wording, or undefined for other cases.
 */
export function slackDeliveryFailure(endpoint: string, err: unknown): string | undefined {
  return isSlackWebhookUrl(endpoint) && err instanceof ApiError && err.hasCode("webhook_endpoint_error")
    ? SLACK_ENDPOINT_ERROR
    : undefined;
}

/**
 * What to tell the user after a failure, depending on how far the flow got. `interrupted`: the user stopped
 * it, so nothing is known to be wrong with the endpoint.
 */
export function resumeHint(webhookId: number, lastStage: StageName | undefined, interrupted = false): string {
  switch (lastStage) {
    case undefined:
    case "testing": {
      const check = interrupted ? "Check the endpoint" : "Fix the endpoint and check it";
      return (
        `Webhook ${webhookId} stays pending. ${check} with \`certwh test\`, then run \`certwh challenge\` ` +
        `and \`${VERIFY_COMMAND}\`.`
      );
    }
    case "tested":
      // Stopped while the challenge was being sent: CertCentral may have sent it anyway.
      return interrupted
        ? `Webhook ${webhookId} stays pending. A challenge token may already have reached the endpoint: use it ` +
            `with \`${VERIFY_COMMAND}\` within 30 minutes; if none arrived, run \`certwh challenge\` first.`
        : `Webhook ${webhookId} stays pending. Run \`certwh challenge\`, then \`${VERIFY_COMMAND}\`.`;
    case "verified":
      return `Webhook ${webhookId} is verified but not active yet: run \`certwh activate\`.`;
    default:
      return (
        `Webhook ${webhookId} stays pending. Use the token your endpoint received with \`${VERIFY_COMMAND}\` ` +
        "within its 30 minutes, or send a new one with `certwh challenge`."
      );
  }
}

export interface CommandVerificationOptions
  extends Pick<Parameters<typeof runVerification>[0], "api" | "webhookId" | "endpoint" | "secret"> {
  /** The API is a local sandbox (failures at a loopback endpoint are then worded without the internet). */
  localApi?: boolean;
  /** Never prompt for the token, even in a terminal (--wait: the endpoint completes the challenge). */
  noPrompt?: boolean;
  /** Told of each challenge as it is sent (its token's expiry, epoch ms), whatever happens after. */
  onChallengeSent?: (deadlineMs: number) => void;
}

/**
 * Run the flow for a command: prompt for the token in a terminal, otherwise stop after the challenge.
 * Failures keep their exit code (describeFailure) and gain a hint on how to resume.
 */
export async function verifyForCommand(
  ctx: Pick<CommandContext, "io" | "prompt" | "clock" | "signal" | "interactive">,
  opts: CommandVerificationOptions,
): Promise<VerificationResult> {
  let last: StageName | undefined;
  let refusedTokens = 0;
  let tokenGiven = false; // the prompt returned a token: check-challenge may be under way
  const { localApi, noPrompt, onChallengeSent, ...flow } = opts;
  const prompting = ctx.interactive && !noPrompt;
  const ask = promptForToken(ctx);
  try {
    return await runVerification({
      ...flow,
      clock: ctx.clock,
      signal: ctx.signal,
      awaitToken: prompting
        ? async (args) => {
            tokenGiven = false;
            const token = await ask(args);
            tokenGiven = true;
            return token;
          }
        : undefined,
      maxTokenAttempts: prompting ? MAX_TYPED_TOKENS : 1,
      onStage: (stage) => {
        last = stage.stage;
        if (stage.stage === "token_refused") refusedTokens += 1;
        if (stage.stage === "challenge_sent") onChallengeSent?.(stage.deadline_ms);
        const line = stageLine(stage);
        if (line) ctx.io[line.level](line.text);
      },
    });
  } catch (err) {
    if (ctx.signal.aborted) {
      // However it was interrupted (Ctrl-C, kill -INT, SIGTERM, a closed pipe), the same next step.
      const resume =
        last === "waiting" && tokenGiven ? TOKEN_MAY_BE_ACCEPTED : resumeHint(opts.webhookId, last, true);
      throw interruptedWithHint(ctx.signal, err, resume);
    }
    if (err instanceof InterruptedError) {
      // Ctrl-C at the prompt (a keypress in raw mode, not a signal).
      throw err.withHint(resumeHint(opts.webhookId, last, true), err.message);
    }
    if (prompting && err instanceof ApiError && err.hasCode("webhook_invalid_token")) {
      // The person tried (up to MAX_TYPED_TOKENS times): one next step, not a list of alternatives.
      const tries = refusedTokens + 1;
      throw reword(err, {
        message: `CertCentral refused the token${tries > 1 ? ` ${tries} times` : ""} (wrong, expired or already used).`,
        hint:
          `Webhook ${opts.webhookId} stays pending. Next: run \`certwh challenge\` for a fresh token, then ` +
          `\`${VERIFY_COMMAND}\` with data.token of that new challenge_webhook_endpoint event.`,
      });
    }
    // No answer to check-challenge: the token may have been accepted, and it is never sent again.
    const resume =
      last === "waiting" && isAmbiguousFailure(err)
        ? TOKEN_MAY_BE_ACCEPTED
        : resumeHint(opts.webhookId, last);
    const slack = slackDeliveryFailure(opts.endpoint, err);
    throw reword(
      err,
      { message: slack, hint: (hint) => (hint && !slack ? `${hint}\n  ${resume}` : resume) },
      { endpoint: opts.endpoint, localEndpoint: localApi === true && isLoopbackUrl(opts.endpoint) },
    );
  }
}

/** Non-interactive ending: the exact command that finishes the job, on stderr. */
export function printVerifyStep(io: Output, endpoint: string): void {
  io.info(`Next, within 30 minutes: ${VERIFY_COMMAND}`);
  io.hint(
    isSlackWebhookUrl(endpoint)
      ? "Take <token> from CertCentral's message in the Slack channel."
      : `Take <token> from data.token of the challenge_webhook_endpoint event ${endpoint} received.`,
  );
}
