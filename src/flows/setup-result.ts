// The common ending of create and update-url: verify (or not), then one JSON document / stderr lines
// that say where the webhook stands and, when it is still pending, the exact next command.

import type { WebhookApi } from "../api/types.js";
import type { CommandContext } from "../cli/context.js";
import { mask } from "../util/redact.js";
import type { ResolvedSecret } from "./secret-source.js";
import { printVerifyStep, VERIFY_COMMAND, verifyForCommand } from "./verification-cli.js";

export interface SecretReport {
  /** Fields for the JSON result. */
  fields: Record<string, unknown>;
  /** The JSON result carries a generated secret in full, so it must bypass redaction. */
  reveal: boolean;
}

/**
 * A generated secret is shown once, unless it was written to --secret-out: in human mode as one line on
 * stdout right away (so a later failure cannot lose it), under --json as `secret` in the result.
 */
export function reportGeneratedSecret(ctx: Pick<CommandContext, "io">, secret: ResolvedSecret): SecretReport {
  if (!secret.generated || secret.value === undefined) return { fields: {}, reveal: false };
  if (secret.writtenTo) {
    ctx.io.info(`Generated a webhook secret and wrote it to ${secret.writtenTo} (mode 0600).`);
    return { fields: { secret: mask(secret.value), secret_file: secret.writtenTo }, reveal: false };
  }
  ctx.io.info(
    "Generated a webhook secret; it is printed once on stdout. Configure your receiver with it " +
      "(`certwh status --show-secret` shows it again).",
  );
  if (!ctx.io.json) ctx.io.revealResult(null, secret.value);
  return { fields: { secret: secret.value }, reveal: true };
}

export interface SetupTarget {
  api: WebhookApi;
  webhookId: number;
  endpoint: string;
  /** The secret the webhook now has (sent with the test event). */
  secret?: string;
  verify: boolean;
  /** The API is a local sandbox (wording of delivery failures at loopback endpoints). */
  localApi?: boolean;
  /** Fields describing the change, merged into the JSON result. */
  summary: Record<string, unknown>;
  secretReport: SecretReport;
}

export async function finishSetup(
  ctx: Pick<CommandContext, "io" | "prompt" | "clock" | "signal" | "interactive">,
  target: SetupTarget,
): Promise<void> {
  const base = {
    id: target.webhookId,
    endpoint: target.endpoint,
    ...target.summary,
    ...target.secretReport.fields,
    changed: true,
  };
  const emit = (value: Record<string, unknown>) =>
    target.secretReport.reveal ? ctx.io.revealResult(value, []) : ctx.io.result(value, []);
  if (!target.verify) {
    emit({ ...base, status: "pending", verified: false });
    ctx.io.hint(
      `Webhook ${target.webhookId} is pending. Next: \`certwh test\`, \`certwh challenge\`, then \`${VERIFY_COMMAND}\`.`,
    );
    return;
  }
  const result = await verifyForCommand(ctx, {
    api: target.api,
    webhookId: target.webhookId,
    endpoint: target.endpoint,
    secret: target.secret,
    localApi: target.localApi,
  });
  if (result.outcome === "challenge_sent") {
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
  emit({ ...base, status: "active", verified: true });
}
