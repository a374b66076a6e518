// certwh create: register the account's (single) webhook, then run the verification flow:
// test event → challenge → token (prompted in a terminal) → check-challenge → activate.
// Every flag is validated before the first request; an existing webhook is shown, never duplicated.
// Stopped while the POST is out, it reads the account back and says what exists (interruptedCreate).

import { ApiError } from "../api/errors.js";
import { INTERRUPTED_READ_BACK_MS, readBackWithin } from "../api/read-back.js";
import type { CreateWebhookRequest, Webhook, WebhookApi } from "../api/types.js";
import { RefusedError } from "../errors.js";
import { reword } from "../io/exit-codes.js";
import { registerSecret } from "../util/redact.js";
import { sameUrl } from "../util/same-url.js";
import { shellWord } from "../util/shell-word.js";
import { updateUrlLine } from "../util/update-url-line.js";
import type { CommandContext } from "./context.js";
import { warnAboutFlags } from "./options/flag-warnings.js";
import {
  type ResolvedSecret,
  resolveSecret,
  saveGeneratedSecret,
  secretOptions,
} from "./options/secret-source.js";
import { parseSetupOptions, type SetupOptions, type UrlPolicy } from "./options/webhook-flags.js";
import type { CreateFlags } from "./specs/lifecycle.js";
import {
  changeFailure,
  interruptedWithHint,
  isDefiniteRefusal,
  keptSecretNote,
  localEndpoint,
  withReadBack,
} from "./webhook/change-failure.js";
import { urlPolicy } from "./webhook/current.js";
import { describeWebhook } from "./webhook/describe.js";
import {
  afterSave,
  finishSetup,
  reportGeneratedSecret,
  type SecretReport,
  savedFailure,
} from "./webhook/setup-result.js";
import { resumeHint } from "./webhook/verification-steps.js";

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
    throw alreadyConfigured(existing, opts.url, updateLine(raw, opts, ctx));
  }

  const body: CreateWebhookRequest = { endpoint: opts.url, events: opts.events };
  if (secret.value) body.secret = secret.value;
  if (opts.settings) body.webhook_settings = opts.settings;
  await saveGeneratedSecret(secret);
  let id: number;
  try {
    id = await api.createWebhook(body, { signal: ctx.signal });
  } catch (err) {
    if (ctx.signal.aborted && !isDefiniteRefusal(err)) {
      throw await interruptedCreate(ctx, {
        api,
        err,
        secret,
        url: opts.url,
        update: updateLine(raw, opts, ctx),
      });
    }
    const failure = await changeFailure(
      ctx,
      err,
      secret,
      "created the webhook",
      localEndpoint(policy, opts.url),
    );
    // Another webhook appeared since the look above: the same update-url as when it is seen first.
    throw err instanceof ApiError && err.hasCode("webhook_configured_already")
      ? reword(failure, {
          hint: `Point it at the new URL with \`${updateLine(raw, opts, ctx)}\`.`,
        })
      : failure;
  }
  ctx.io.success(`Created webhook ${id} for ${opts.url} (pending until verified and activated).`);
  const secretReport = reportGeneratedSecret(ctx, secret);
  await afterSave(ctx, { id, endpoint: opts.url, secretReport }, () =>
    verifyCreated(ctx, { api, id, opts, policy, secret, secretReport }),
  );
}

interface Created {
  api: WebhookApi;
  id: number;
  opts: SetupOptions & { events: string[] };
  policy: UrlPolicy;
  secret: ResolvedSecret;
  secretReport: SecretReport;
}

/** After the POST: the hint about a missing secret, then the verification flow (finishSetup). */
async function verifyCreated(ctx: CommandContext, c: Created): Promise<void> {
  const { api, id, opts, policy, secret, secretReport } = c;
  if (!secret.value) {
    // Said once at creation: without a secret the endpoint cannot tell CertCentral's posts from anyone's.
    ctx.io.hint(
      "No secret: deliveries carry no X-WEBHOOK-KEY. Add one later with " +
        `\`certwh update-url --url ${shellWord(opts.url)} --generate-secret --secret-out <file>\`.`,
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

/** The update-url that does what this create was asked to do (every flag carried over). */
const updateLine = (raw: CreateFlags, opts: { url: string }, ctx: CommandContext) =>
  updateUrlLine({ ...raw, url: opts.url }, ctx.globals);

interface InFlight {
  api: WebhookApi;
  err: unknown;
  secret: ResolvedSecret;
  url: string;
  update: string;
}

/**
 * Stopped while the POST was out (or while its answer was being checked): CertCentral may have created the
 * webhook, and a rerun would then be refused (one per account). The account is read back once, bounded, and
 * the interruption says what exists and what to run next; under --json its document carries the webhook (and,
 * when it is the one created, the generated secret, as afterSave does). A second Ctrl-C ends the look.
 */
async function interruptedCreate(ctx: CommandContext, f: InFlight): Promise<unknown> {
  ctx.io.info(
    `Reading the account back (up to ${INTERRUPTED_READ_BACK_MS / 1000} s) to see whether CertCentral created the webhook…`,
  );
  // A second Ctrl-C ends this look (the state is then unknown) rather than exiting without a word.
  const now = await readBackWithin(f.api, INTERRUPTED_READ_BACK_MS, ctx.hurry());
  // A webhook at this URL is the one this POST created: it uses the secret sent.
  const created = now != null && sameUrl(now.endpoint, f.url);
  const kept = keptSecretNote(f.secret, created);
  let hint: string;
  if (now === undefined) {
    hint =
      `The account ${ctx.hurry().aborted ? "was not read back (cut short)" : "could not be read back"}, so whether CertCentral created the webhook is unknown: check ` +
      `\`certwh status\` before retrying.${kept}`;
  } else if (now === null) {
    hint =
      "Reading the account back shows no webhook: CertCentral did not create it (or has not yet); " +
      `\`certwh status\` shows whether it did before you retry.${kept}`;
  } else if (created) {
    registerSecret(now.secret);
    const next =
      now.status === "pending" ? ` ${resumeHint(now.id, undefined, true)}` : " `certwh status` shows it.";
    hint =
      `Webhook ${now.id} now exists for ${now.endpoint} (status ${now.status}): CertCentral created it before ` +
      `certwh stopped, so do not run create again.${next} To start over, \`certwh delete\` removes it.${kept}`;
  } else {
    registerSecret(now.secret);
    hint =
      `The account now has webhook ${now.id} at ${now.endpoint} (status ${now.status}), not at ${f.url}; ` +
      `CertCentral allows only one. \`certwh status\` shows it; \`${f.update}\` points it here.`;
  }
  const failure = interruptedWithHint(ctx.signal, f.err, hint);
  if (!created) return withReadBack(ctx, failure, now ?? undefined);
  // As after any failure once the webhook is saved: the generated secret is shown (in full under --json).
  const secretReport = reportGeneratedSecret(ctx, f.secret);
  return savedFailure(ctx, failure, { id: now.id, endpoint: now.endpoint, status: now.status, secretReport });
}

/**
 * The account already has its one webhook: refuse (exit 3), with the update-url that does what this create
 * was asked to do (every flag carried over), or, when the webhook already points at the URL, say so.
 */
function alreadyConfigured(existing: Webhook, url: string, update: string): RefusedError {
  const samePlace = sameUrl(existing.endpoint, url);
  const message = samePlace
    ? `The account already has webhook ${existing.id}, and it already points at ${existing.endpoint}; CertCentral allows only one.`
    : `The account already has webhook ${existing.id}; CertCentral allows only one.`;
  const hint = samePlace
    ? `\`certwh status\` shows where it stands; to apply this command's events, secret and settings to it, run \`${update}\`.`
    : `Point it at the new URL with \`${update}\`.`;
  return new RefusedError(message, { code: "webhook_configured_already", hint });
}
