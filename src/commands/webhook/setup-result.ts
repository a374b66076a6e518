// The common ending of create and update-url: verify (or not), then one JSON document / stderr lines
// that say where the webhook stands and, when it is still pending, the exact next command.

import { CertwhError, InterruptedError, TimeoutError } from "../../errors.js";
import { describeFailure, errorDocument } from "../../io/exit-codes.js";
import { formatTimeLeft } from "../../io/render-stage.js";
import { mask } from "../../util/redact.js";
import { WAIT_POLL_MS, waitUntilActive } from "../../verification/wait-active.js";
import type { CommandContext } from "../context.js";
import type { ResolvedSecret } from "../options/secret-source.js";
import { asReported, interruptedWithHint } from "./change-failure.js";
import {
  type CommandVerificationOptions,
  printVerifyStep,
  resumeHint,
  VERIFY_COMMAND,
  verifyForCommand,
} from "./verification-steps.js";
import { forgetChallenge, markChallenged } from "./verified-mark.js";

export interface SecretReport {
  /** Fields for the JSON result. */
  fields: Record<string, unknown>;
  /** The generated secret the JSON result carries in full: it (only it) bypasses redaction. */
  reveal?: string;
}

/**
 * A generated secret is shown once, unless it was written to --secret-out: in human mode as one line on
 * stdout right away (so a later failure cannot lose it), under --json as `secret` in the result.
 */
export function reportGeneratedSecret(ctx: Pick<CommandContext, "io">, secret: ResolvedSecret): SecretReport {
  if (!secret.generated || secret.value === undefined) return { fields: {} };
  if (secret.writtenTo) {
    ctx.io.info(`Generated a webhook secret and wrote it to ${secret.writtenTo} (mode 0600).`);
    return { fields: { secret: mask(secret.value), secret_file: secret.writtenTo } };
  }
  ctx.io.info(
    "Generated a webhook secret; it is printed once on stdout. Configure your receiver with it " +
      "(`certwh status --show-secret` shows it again).",
  );
  if (!ctx.io.json) ctx.io.revealResult(null, secret.value, secret.value);
  return { fields: { secret: secret.value }, reveal: secret.value };
}

/**
 * What a --json failure after the save carries beside its `error` object. A read-back that shows the save did
 * not take effect updates it (the endpoint CertCentral reports, no secret it does not use, changed false).
 */
export interface SavedWebhook {
  id: number;
  endpoint: string;
  /** The status as read back, when it was (an interrupted create or update-url). */
  status?: string;
  secretReport: SecretReport;
  changed?: boolean;
}

/**
 * Run the steps after create or update-url saved the webhook. Under --json a failure in them still prints
 * what the user needs to carry on beside the `error` object (README › Exit codes), as replay's document
 * does: the webhook's id and endpoint, and a generated secret, which is printed nowhere else (it alone
 * bypasses redaction). The error is then rethrown as reported, so no second document follows.
 */
export async function afterSave<T>(
  ctx: Pick<CommandContext, "io" | "signal">,
  saved: SavedWebhook,
  steps: () => Promise<T>,
): Promise<T> {
  try {
    return await steps();
  } catch (caught) {
    // main reports the interruption itself when the command's error is not one.
    const reason = ctx.signal.reason;
    const err =
      ctx.signal.aborted && reason instanceof InterruptedError && !(caught instanceof InterruptedError)
        ? reason
        : caught;
    throw savedFailure(ctx, err, saved);
  }
}

/**
 * Under --json, prints the failure's document with the saved webhook beside its `error` object (see afterSave)
 * and returns the error marked reported; otherwise returns it as it is.
 */
export function savedFailure(ctx: Pick<CommandContext, "io">, err: unknown, saved: SavedWebhook): unknown {
  if (!ctx.io.json || (err instanceof CertwhError && err.reported)) return err;
  // A closed stdout takes no document.
  if (err instanceof InterruptedError && err.interruptedBy === "stdout_closed") return err;
  const document = {
    ...errorDocument(describeFailure(err)),
    id: saved.id,
    endpoint: saved.endpoint,
    ...(saved.status === undefined ? {} : { status: saved.status }),
    ...saved.secretReport.fields,
    changed: saved.changed ?? true,
  };
  const { reveal } = saved.secretReport;
  if (reveal) ctx.io.revealResult(document, [], reveal);
  else ctx.io.writeJson(document);
  return asReported(err);
}

/** The webhook just saved (`secret`: the one it now has), and what create or update-url was asked to do. */
interface SetupTarget extends Omit<CommandVerificationOptions, "noPrompt"> {
  verify: boolean;
  /**
   * --wait: after the challenge, poll until the endpoint has completed it and the webhook is active
   * (no token prompt); TimeoutError (exit 6) when it is not active within this many ms.
   */
  waitMs?: number;
  /**
   * update-url: the status read back after the update. Still active (a settings-only update, or CertCentral
   * keeping a re-pointed webhook active, spec §17 #13): no challenge, no token. Still inactive: it kept its
   * verification, so it needs `certwh activate`, not a challenge (and update-url does not switch on a webhook
   * that was switched off), unless --wait asks for an active webhook.
   */
  statusAfter?: string;
  /** Fields describing the change, merged into the JSON result. */
  summary: Record<string, unknown>;
  secretReport: SecretReport;
}

export async function finishSetup(
  ctx: Pick<CommandContext, "io" | "prompt" | "clock" | "signal" | "interactive" | "env" | "settings">,
  target: SetupTarget,
): Promise<void> {
  // The webhook was just saved: a token sent before no longer applies (or is about to be replaced).
  await forgetChallenge(ctx.env);
  const base = {
    id: target.webhookId,
    endpoint: target.endpoint,
    ...target.summary,
    ...target.secretReport.fields,
    changed: true,
  };
  const { reveal } = target.secretReport;
  const emit = (value: Record<string, unknown>) =>
    reveal ? ctx.io.revealResult(value, [], reveal) : ctx.io.result(value, []);
  if (target.statusAfter === "active") {
    emit({ ...base, status: "active", verified: true, reverified: false });
    ctx.io.info(
      `Webhook ${target.webhookId} is still active (read back after the update), so certwh sends no ` +
        "challenge: CertCentral keeps sending events to it.",
    );
    return;
  }
  if (target.statusAfter === "inactive" && target.waitMs === undefined) {
    emit({ ...base, status: "inactive", verified: true, reverified: false, next: "certwh activate" });
    ctx.io.info(
      `Webhook ${target.webhookId} is still inactive (read back after the update): CertCentral kept its ` +
        "verification, so certwh sends no challenge.",
    );
    ctx.io.hint("Resume the events with `certwh activate` when you want them.");
    return;
  }
  if (!target.verify) {
    emit({ ...base, status: "pending", verified: false });
    ctx.io.hint(
      `Webhook ${target.webhookId} is pending. Next: \`certwh test\`, \`certwh challenge\`, then \`${VERIFY_COMMAND}\`.`,
    );
    return;
  }
  // A token that went out is noted for `certwh status` (next: verify --token) unless it was used here; also
  // when the command stops at the prompt (Ctrl-C) or fails after the challenge.
  let tokenOut: number | undefined;
  const noteToken = async () => {
    const hook = { id: target.webhookId, endpoint: target.endpoint };
    if (tokenOut !== undefined) await markChallenged(ctx.env, (await ctx.settings()).baseUrl, hook, tokenOut);
  };
  const result = await verifyForCommand(ctx, {
    api: target.api,
    webhookId: target.webhookId,
    endpoint: target.endpoint,
    secret: target.secret,
    localApi: target.localApi,
    noPrompt: target.waitMs !== undefined,
    onChallengeSent: (deadline) => {
      tokenOut = deadline;
    },
  }).catch(async (err: unknown) => {
    await noteToken();
    throw err;
  });
  if (result.outcome === "challenge_sent") {
    await noteToken();
    if (target.waitMs === undefined) {
      emit({
        ...base,
        status: "pending",
        verified: false,
        challenge_expires_at:
          result.deadline === undefined ? undefined : new Date(result.deadline).toISOString(),
        next: VERIFY_COMMAND,
      });
      printVerifyStep(ctx.io, target.endpoint);
      return;
    }
    await waitForEndpoint(ctx, target, target.waitMs);
  }
  emit({ ...base, status: "active", verified: true });
}

/** --wait: the endpoint completes the challenge itself; certwh watches the status until it is active. */
async function waitForEndpoint(
  ctx: Pick<CommandContext, "io" | "clock" | "signal">,
  target: SetupTarget,
  waitMs: number,
): Promise<void> {
  ctx.io.info(
    `Waiting up to ${formatTimeLeft(waitMs)} for ${target.endpoint} to complete the challenge ` +
      `(checking the webhook's status every ${WAIT_POLL_MS / 1000} s)…`,
  );
  const active = await waitUntilActive({
    api: target.api,
    webhookId: target.webhookId,
    timeoutMs: waitMs,
    clock: ctx.clock,
    signal: ctx.signal,
  }).catch((err: unknown) => {
    // Interrupted while watching: the same next step as when the wait runs out.
    throw interruptedWithHint(
      ctx.signal,
      err,
      `${resumeHint(target.webhookId, "challenge_sent")} \`certwh status\` shows whether ${target.endpoint} completed it meanwhile.`,
    );
  });
  if (!active) {
    // An inactive webhook that kept its verification stays inactive, not pending: activate is its next step.
    const hint =
      target.statusAfter === "inactive"
        ? `Webhook ${target.webhookId} stays inactive; it kept its verification, so \`certwh activate\` turns it on.`
        : `${resumeHint(target.webhookId, "challenge_sent")}\n  If ${target.endpoint} submitted the token but did ` +
          "not activate, the token is spent: `certwh activate` finishes.";
    throw new TimeoutError(
      `Webhook ${target.webhookId} was not active after ${formatTimeLeft(waitMs)}: the endpoint did not ` +
        "complete the challenge (submit the token and activate) in time.",
      { hint },
    );
  }
  ctx.io.success(`Webhook ${target.webhookId} is active: the endpoint completed the challenge.`);
}
