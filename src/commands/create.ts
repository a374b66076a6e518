// certwh create: register the account's (single) webhook, then run the verification flow:
// test event → challenge → token (prompted in a terminal) → check-challenge → activate.
// Every flag is validated before the first request; an existing webhook is shown, never duplicated.

import type { CreateWebhookRequest } from "../api/types.js";
import { RefusedError } from "../errors.js";
import { registerSecret } from "../util/redact.js";
import type { CommandContext } from "./context.js";
import { warnAboutFlags } from "./options/flag-warnings.js";
import { resolveSecret, saveGeneratedSecret, secretOptions } from "./options/secret-source.js";
import { parseSetupOptions, type SetupOptions, type UrlPolicy } from "./options/webhook-flags.js";
import type { CreateFlags } from "./specs/lifecycle.js";
import { changeFailure, localEndpoint } from "./webhook/change-failure.js";
import { urlPolicy } from "./webhook/current.js";
import { describeWebhook } from "./webhook/describe.js";
import { finishSetup, reportGeneratedSecret } from "./webhook/setup-result.js";

/** The events are always an explicit list: the given events, else ["certificate_issued"]. */
export function parseCreateOptions(raw: CreateFlags, policy: UrlPolicy): SetupOptions & { events: string[] } {
  const opts = parseSetupOptions(raw, policy, false);
  return { ...opts, events: opts.events ?? ["certificate_issued"] };
}

export async function run(raw: CreateFlags, ctx: CommandContext): Promise<void> {
  const policy = await urlPolicy(ctx);
  const opts = parseCreateOptions(raw, policy);
  warnAboutFlags(ctx.io, { url: opts.url, unknownEvents: opts.unknownEvents, policy });
  const secret = await resolveSecret(opts.secret, ctx.env, secretOptions(ctx));

  const api = await ctx.api();
  const existing = await api.getWebhook({ signal: ctx.signal });
  if (existing) {
    registerSecret(existing.secret);
    ctx.io.info("This CertCentral account already has a webhook:");
    for (const line of describeWebhook(existing)) ctx.io.info(`  ${line}`);
    throw new RefusedError(`The account already has webhook ${existing.id}; CertCentral allows only one.`, {
      code: "webhook_configured_already",
      hint: `Point it at the new URL with \`certwh update-url --url ${opts.url}\`.`,
    });
  }

  const body: CreateWebhookRequest = { endpoint: opts.url, events: opts.events };
  if (secret.value) body.secret = secret.value;
  if (opts.settings) body.webhook_settings = opts.settings;
  await saveGeneratedSecret(secret);
  let id: number;
  try {
    id = await api.createWebhook(body, { signal: ctx.signal });
  } catch (err) {
    throw await changeFailure(ctx, err, secret, "created the webhook", localEndpoint(policy, opts.url));
  }
  ctx.io.success(`Created webhook ${id} for ${opts.url} (pending until verified and activated).`);
  const secretReport = reportGeneratedSecret(ctx, secret);
  if (!secret.value) {
    // Said once at creation: without a secret the endpoint cannot tell CertCentral's posts from anyone's.
    ctx.io.hint(
      "No secret: deliveries carry no X-WEBHOOK-KEY. Add one later with " +
        `\`certwh update-url --url ${opts.url} --generate-secret --secret-out <file>\`.`,
    );
  }

  await finishSetup(ctx, {
    api,
    webhookId: id,
    endpoint: opts.url,
    secret: secret.value,
    verify: opts.verify,
    waitMs: opts.waitMs,
    localApi: policy.allowLoopbackHttp,
    secretReport,
    summary: {
      events: opts.events,
      ...(opts.settings ? { webhook_settings: opts.settings } : {}),
    },
  });
}
