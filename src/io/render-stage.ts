// The one drawing of the verification stages (src/verification/stages.ts), for every command that
// verifies: create, update-url and verify print these lines, listen prints them among its state lines.

import { isSlackWebhookUrl } from "../util/slack.js";
import type { VerificationStage } from "../verification/stages.js";

export type Level = "info" | "success" | "warn" | "error" | "debug";
interface StageLine {
  level: Level;
  text: string;
}

/** 29:41 */
export function formatTimeLeft(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, "0")}`;
}

/** 15:04:05 UTC */
export function formatClockTime(epochMs: number): string {
  return `${new Date(epochMs).toISOString().slice(11, 19)} UTC`;
}

/** Where the token shows up, in words. */
export function tokenWhere(endpoint: string): string {
  return isSlackWebhookUrl(endpoint)
    ? "CertCentral posts it as a message in the Slack channel of that incoming webhook"
    : `it arrives at ${endpoint} as a challenge_webhook_endpoint event (data.token)`;
}

/** The stderr line for a stage; undefined for `waiting` (the prompt or listen's countdown shows it). */
export function stageLine(stage: VerificationStage): StageLine | undefined {
  const say = (level: Level, text: string): StageLine => ({ level, text });
  switch (stage.stage) {
    case "testing":
      return say("info", `Sending CertCentral's test event to ${stage.endpoint}…`);
    case "tested":
      return say(
        "success",
        isSlackWebhookUrl(stage.endpoint)
          ? "CertCentral accepted the test event for the Slack channel (look for its message there)."
          : "The endpoint accepted the test event.",
      );
    case "challenge_sent": {
      const attempt = stage.max_attempts > 1 ? ` (attempt ${stage.attempt} of ${stage.max_attempts})` : "";
      return say(
        "success",
        `Sent a challenge token${attempt}, valid 30 minutes, until ${formatClockTime(stage.deadline_ms)}; ${tokenWhere(stage.endpoint)}.`,
      );
    }
    case "waiting":
      return undefined;
    case "token_expired":
      return say(
        "warn",
        `The challenge token's 30-minute window ran out before it was submitted${stage.resend ? "; sending a new challenge." : "."}`,
      );
    case "token_refused": {
      const refused = "CertCentral refused the token (wrong, expired or already used)";
      if (stage.retry) {
        const left = stage.retry.attempts_left;
        return say(
          "warn",
          `${refused}. Check that you copied all of data.token from the latest challenge and paste it again ` +
            `(${left} more ${left === 1 ? "try" : "tries"}; no new challenge is sent).`,
        );
      }
      return say("warn", `${refused}${stage.resend ? "; sending a new challenge." : "."}`);
    }
    case "verified":
      return say("success", "Verified: CertCentral accepted the challenge token.");
    case "activated":
      return say(
        "success",
        `Webhook ${stage.webhook_id} is active: CertCentral now sends the subscribed events.` +
          (stage.note ? ` (${stage.note})` : ""),
      );
  }
}
