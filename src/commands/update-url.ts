// certwh update-url: point the webhook at a new endpoint (PUT /webhook/{id}; the API needs the endpoint
// in every update), keeping events and settings unless given, then verify and activate again:
// CertCentral requires a changed endpoint to be verified before events flow to it. The status is read back
// after the update: a webhook that stayed active or inactive (same endpoint, or CertCentral keeping its
// verification) is not verified again.

import type { UpdateWebhookRequest } from "../api/types.js";
import { normaliseSettings } from "../api/webhooks.js";
import { registerSecret } from "../util/redact.js";
import type { CommandContext } from "./context.js";
import { warnAboutFlags } from "./options/flag-warnings.js";
import { resolveSecret, saveGeneratedSecret, secretOptions } from "./options/secret-source.js";
import { parseSetupOptions, type SetupOptions, type UrlPolicy } from "./options/webhook-flags.js";
import type { UpdateUrlFlags } from "./specs/lifecycle.js";
import { changeFailure, interruptedWithHint, localEndpoint } from "./webhook/change-failure.js";
import { requireWebhook, urlPolicy } from "./webhook/current.js";
import { finishSetup, reportGeneratedSecret } from "./webhook/setup-result.js";
import { clearVerified } from "./webhook/verified-mark.js";

/** Events left undefined keep the current list. */
export function parseUpdateUrlOptions(raw: UpdateUrlFlags, policy: UrlPolicy): SetupOptions {
  return parseSetupOptions(raw, policy, true);
}

export async function run(raw: UpdateUrlFlags, ctx: CommandContext): Promise<void> {
  const policy = await urlPolicy(ctx);
  const opts = parseUpdateUrlOptions(raw, policy);
  warnAboutFlags(ctx.io, { url: opts.url, unknownEvents: opts.unknownEvents, policy });
  const secret = await resolveSecret(opts.secret, ctx.env, secretOptions(ctx));

  const api = await ctx.api();
  const hook = await requireWebhook(api, ctx.signal);
  registerSecret(hook.secret);

  const events = opts.events ?? hook.events;
  const body: UpdateWebhookRequest = { endpoint: opts.url, events };
  if (secret.value !== undefined) body.secret = secret.value;
  if (opts.settings)
    body.webhook_settings = { ...normaliseSettings(hook.webhook_settings), ...opts.settings };
  await saveGeneratedSecret(secret);
  try {
    await api.updateWebhook(hook.id, body, { signal: ctx.signal });
  } catch (err) {
    throw await changeFailure(ctx, err, secret, "applied the update", localEndpoint(policy, opts.url));
  }

  const changedUrl = hook.endpoint !== opts.url;
  if (changedUrl) await clearVerified(ctx.env);
  // Read the status back rather than assume it (spec §17 #13): a settings-only update keeps an active
  // webhook active (or inactive), and CertCentral may keep even a re-pointed one so. Neither needs a challenge.
  const now = await api.getWebhook({ signal: ctx.signal }).catch((err) => {
    if (!ctx.signal.aborted) return undefined;
    throw interruptedWithHint(
      ctx.signal,
      err,
      `Webhook ${hook.id} now points at ${opts.url}. Run \`certwh status\`; if it is pending, ` +
        "`certwh challenge`, then `certwh verify --token <token>`.",
    );
  });
  ctx.io.success(
    changedUrl
      ? `Webhook ${hook.id} now points at ${opts.url} (was ${hook.endpoint}).`
      : `Updated webhook ${hook.id} (endpoint unchanged: ${opts.url}).`,
  );
  if (secret.value === "") ctx.io.info("Removed the secret: CertCentral no longer sends X-WEBHOOK-KEY.");
  const secretReport = reportGeneratedSecret(ctx, secret);
  const currentSecret = secret.value === undefined ? hook.secret : secret.value || undefined;

  await finishSetup(ctx, {
    api,
    webhookId: hook.id,
    endpoint: opts.url,
    secret: currentSecret,
    verify: opts.verify,
    statusAfter: now?.id === hook.id ? now.status : undefined,
    waitMs: opts.waitMs,
    localApi: policy.allowLoopbackHttp,
    secretReport,
    summary: {
      ...(changedUrl ? { previous_endpoint: hook.endpoint } : {}),
      events,
      ...(body.webhook_settings ? { webhook_settings: body.webhook_settings } : {}),
      ...(secret.value === "" ? { secret_removed: true } : {}),
    },
  });
}
