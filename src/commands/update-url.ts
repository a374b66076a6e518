// certwh update-url: point the webhook at a new endpoint (PUT /webhook/{id}; the API needs the endpoint
// in every update), keeping events and settings unless given, then verify and activate again:
// CertCentral requires a changed endpoint to be verified again before events flow to it. The webhook is
// read back after the update: one that still points elsewhere is a failure (exit 3), and one that stayed
// active or inactive (same endpoint, or CertCentral keeping its verification) is not verified again.
// Stopped while the PUT is out, it reads the account back and says where the webhook points
// (interruptedUpdate).

import { INTERRUPTED_READ_BACK_MS, readBackWithin } from "../api/read-back.js";
import type { UpdateWebhookRequest, Webhook, WebhookApi } from "../api/types.js";
import { normaliseSettings } from "../api/webhooks.js";
import { RefusedError } from "../errors.js";
import { reword } from "../io/exit-codes.js";
import { registerSecret } from "../util/redact.js";
import { sameUrl } from "../util/same-url.js";
import { shellWord } from "../util/shell-word.js";
import type { CommandContext } from "./context.js";
import { warnAboutFlags } from "./options/flag-warnings.js";
import {
  type ResolvedSecret,
  resolveSecret,
  saveGeneratedSecret,
  secretOptions,
} from "./options/secret-source.js";
import { parseSetupOptions, type SetupOptions, type UrlPolicy } from "./options/webhook-flags.js";
import type { UpdateUrlFlags } from "./specs/lifecycle.js";
import {
  changeFailure,
  interruptedWithHint,
  isDefiniteRefusal,
  keptSecretNote,
  localEndpoint,
  withReadBack,
} from "./webhook/change-failure.js";
import { requireWebhook, urlPolicy } from "./webhook/current.js";
import {
  afterSave,
  finishSetup,
  reportGeneratedSecret,
  type SavedWebhook,
  type SecretReport,
  savedFailure,
} from "./webhook/setup-result.js";
import { resumeHint } from "./webhook/verification-steps.js";
import { clearVerified } from "./webhook/verified-mark.js";

/** Events left undefined keep the current list. */
export function parseUpdateUrlOptions(raw: UpdateUrlFlags, policy: UrlPolicy): SetupOptions {
  return parseSetupOptions(raw, policy, true);
}

export async function run(raw: UpdateUrlFlags, ctx: CommandContext): Promise<void> {
  const policy = await urlPolicy(ctx);
  const opts = parseUpdateUrlOptions(raw, policy);
  warnAboutFlags(ctx.io, { url: opts.url, unknownEvents: opts.unknownEvents, policy });
  const secret = await resolveSecret(opts.secret, ctx.env, {
    ...secretOptions(ctx),
    generateWith: `certwh update-url --url ${shellWord(opts.url)} --generate-secret`,
  });

  const api = await ctx.api();
  const hook = await requireWebhook(api, ctx.signal);
  registerSecret(hook.secret);

  // Events CertCentral did not report (null) are left out of the update, which keeps them (spec §6.1):
  // sending a list certwh never read would replace the subscription.
  const events = opts.events ?? hook.events;
  const body: UpdateWebhookRequest = { endpoint: opts.url };
  if (events !== null) body.events = events;
  else ctx.io.info(UNREPORTED_EVENTS);
  if (secret.value !== undefined) body.secret = secret.value;
  if (opts.settings)
    body.webhook_settings = { ...normaliseSettings(hook.webhook_settings), ...opts.settings };
  await saveGeneratedSecret(secret);
  try {
    await api.updateWebhook(hook.id, body, { signal: ctx.signal });
  } catch (err) {
    if (ctx.signal.aborted && !isDefiniteRefusal(err))
      throw await interruptedUpdate(ctx, { api, err, secret, hook, url: opts.url });
    const failure = await changeFailure(
      ctx,
      err,
      secret,
      "applied the update",
      localEndpoint(policy, opts.url),
    );
    if (!isDefiniteRefusal(err)) throw failure;
    // Refused: the webhook is as it was, which the user (and a --json script) is told, with its id.
    const unchanged = `Webhook ${hook.id} is unchanged: it still points at ${hook.endpoint} (${hook.status}).`;
    const kept: SavedWebhook = {
      id: hook.id,
      endpoint: hook.endpoint,
      secretReport: { fields: {} },
      changed: false,
    };
    return afterSave(ctx, kept, () => {
      throw reword(failure, { hint: (hint) => (hint ? `${hint}\n  ${unchanged}` : unchanged) });
    });
  }
  // Shown right away (human mode: on stdout), so no later failure can lose it.
  const secretReport = reportGeneratedSecret(ctx, secret);
  const saved: SavedWebhook = { id: hook.id, endpoint: opts.url, secretReport };
  await afterSave(ctx, saved, () =>
    afterUpdate(ctx, { api, hook, opts, policy, secret, secretReport, events, body, saved }),
  );
}

const UNREPORTED_EVENTS =
  "CertCentral did not report the webhook's events, so update-url leaves them out of the update and " +
  "CertCentral keeps them as they are (--events sets them).";

interface Updated {
  api: WebhookApi;
  /** The webhook as read before the update. */
  hook: Webhook;
  opts: SetupOptions;
  policy: UrlPolicy;
  secret: ResolvedSecret;
  secretReport: SecretReport;
  /** The events sent, or null when CertCentral did not report them and they were kept. */
  events: string[] | null;
  body: UpdateWebhookRequest;
  /** What a --json failure document reports: corrected when the read-back shows the update did not apply. */
  saved: SavedWebhook;
}

/** After the PUT: read the webhook back, check it points where asked, then verify (finishSetup). */
async function afterUpdate(ctx: CommandContext, u: Updated): Promise<void> {
  const { api, hook, opts, policy, secret, secretReport, events, body, saved } = u;
  const changedUrl = !sameUrl(hook.endpoint, opts.url);
  if (changedUrl) await clearVerified(ctx.env);
  // Read the status back rather than assume it (spec §17 #13): a settings-only update keeps an active
  // webhook active (or inactive), and CertCentral may keep even a re-pointed one so. Neither needs a challenge.
  const now = await api.getWebhook({ signal: ctx.signal }).catch((err) => {
    if (!ctx.signal.aborted) return undefined;
    throw interruptedWithHint(
      ctx.signal,
      err,
      `CertCentral accepted the update of webhook ${hook.id} to ${opts.url}; certwh stopped before reading ` +
        "it back. Run `certwh status` to see where it points; if it is pending there, `certwh challenge`, " +
        "then `certwh verify --token <token>`.",
    );
  });
  // A 204 that did not move the webhook must not be reported as done (nor verified: the challenge would go
  // to the old endpoint).
  if (now?.id === hook.id && !sameUrl(now.endpoint, opts.url)) {
    // The failure document must describe the webhook as it is, not as it was asked to be: a script that
    // carries on must not configure its receiver with a secret CertCentral does not send.
    const secretApplied = secret.generated && now.secret === secret.value;
    Object.assign(saved, {
      endpoint: now.endpoint,
      changed: false,
      ...(secret.generated && !secretApplied ? { secretReport: { fields: {} } } : {}),
    });
    if (secret.generated && !secretApplied)
      ctx.io.warn(
        "The generated secret was not applied either: CertCentral still reports the webhook's previous secret.",
      );
    throw notMoved(hook, now.endpoint, opts.url);
  }
  ctx.io.success(
    changedUrl
      ? `Webhook ${hook.id} now points at ${opts.url} (was ${hook.endpoint}).`
      : `Updated webhook ${hook.id} (endpoint unchanged: ${opts.url}).`,
  );
  if (secret.value === "") ctx.io.info("Removed the secret: CertCentral no longer sends X-WEBHOOK-KEY.");
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

interface InFlight {
  api: WebhookApi;
  err: unknown;
  secret: ResolvedSecret;
  /** The webhook as read before the PUT. */
  hook: Webhook;
  url: string;
}

/**
 * Stopped while the PUT was out (or while its answer was being checked): CertCentral may have applied it, and
 * a re-pointed webhook is pending until verified again. The account is read back once, bounded, and the
 * interruption says where the webhook points and what to run next; under --json its document carries it (and,
 * when it moved to the new URL, the generated secret, as afterSave does). A second Ctrl-C ends the look.
 */
async function interruptedUpdate(ctx: CommandContext, f: InFlight): Promise<unknown> {
  const { hook, url } = f;
  ctx.io.info(
    `Reading the account back (up to ${INTERRUPTED_READ_BACK_MS / 1000} s) to see whether CertCentral applied the update…`,
  );
  // A second Ctrl-C ends this look (the state is then unknown) rather than exiting without a word.
  const now = await readBackWithin(f.api, INTERRUPTED_READ_BACK_MS, ctx.hurry());
  if (now) registerSecret(now.secret);
  // Moved to the new URL: the update was applied, the secret sent with it too.
  const applied = now?.id === hook.id && !sameUrl(hook.endpoint, url) && sameUrl(now.endpoint, url);
  const kept = keptSecretNote(f.secret, applied);
  const where = now ? `webhook ${now.id} at ${now.endpoint} (status ${now.status})` : "";
  let hint: string;
  if (now === undefined) {
    hint =
      `The account ${ctx.hurry().aborted ? "was not read back (cut short)" : "could not be read back"}, so whether CertCentral applied the update is unknown: check ` +
      `\`certwh status\` before retrying.${kept}`;
  } else if (now === null || now.id !== hook.id) {
    hint =
      `Reading the account back shows ${now ? where : "no webhook"} instead of webhook ${hook.id}: ` +
      `\`certwh status\` shows it.${kept}`;
  } else if (sameUrl(hook.endpoint, url)) {
    // The endpoint stays the same: the read-back cannot tell whether the rest of the update was applied.
    hint =
      `Webhook ${hook.id} points at ${now.endpoint} (status ${now.status}); whether CertCentral applied the ` +
      `rest of the update is unknown: \`certwh status\` shows it, and update-url is safe to run again.${kept}`;
  } else if (applied) {
    const next =
      now.status === "pending" ? ` ${resumeHint(now.id, undefined, true)}` : " `certwh status` shows it.";
    hint =
      `Webhook ${now.id} now points at ${now.endpoint} (status ${now.status}): CertCentral applied the update ` +
      `before certwh stopped.${next}${kept}`;
  } else if (sameUrl(now.endpoint, hook.endpoint)) {
    hint =
      `Webhook ${now.id} still points at ${now.endpoint} (status ${now.status}): CertCentral did not apply ` +
      "the update (or has not yet); `certwh status` shows whether it did before you run update-url " +
      `again.${kept}`;
  } else {
    hint = `The account now has ${where}, neither ${hook.endpoint} nor ${url}: \`certwh status\` shows it.${kept}`;
  }
  const failure = interruptedWithHint(ctx.signal, f.err, hint);
  if (!applied) return withReadBack(ctx, failure, now ?? undefined);
  // As after any failure once the webhook is saved: the generated secret is shown (in full under --json).
  const secretReport = reportGeneratedSecret(ctx, f.secret);
  return savedFailure(ctx, failure, { id: now.id, endpoint: now.endpoint, status: now.status, secretReport });
}

/** CertCentral accepted the update, but reading it back shows another endpoint than the one sent (exit 3). */
function notMoved(hook: Webhook, readBack: string, asked: string): RefusedError {
  const sentence = sameUrl(readBack, hook.endpoint)
    ? `CertCentral accepted the update, but still reports the old endpoint ${readBack} after it, not ${asked}.`
    : `CertCentral accepted the update, but reports the endpoint ${readBack} after it, not ${asked}.`;
  return new RefusedError(sentence, {
    code: "endpoint_not_updated",
    hint:
      `Webhook ${hook.id} was not verified for ${asked}. Run \`certwh status\` to see where it points, then ` +
      `\`certwh update-url --url ${shellWord(asked)}\` again.`,
  });
}
