// certwh status (alias show): the account's webhook, what its state means, and what to do next.

import { looksLikeListenEndpoint } from "../listen/guard.js";
import { registerSecret } from "../util/redact.js";
import type { CommandContext } from "./context.js";
import type { StatusFlags } from "./specs/lifecycle.js";
import { requireWebhook } from "./webhook/current.js";
import { describeWebhook, explainStatus, nextStep, webhookJson } from "./webhook/describe.js";
import { openChallenge, wasVerified } from "./webhook/verified-mark.js";

interface StatusOptions {
  showSecret: boolean;
}

export function parseStatusOptions(raw: StatusFlags): StatusOptions {
  return { showSecret: raw.showSecret === true };
}

export async function run(raw: StatusFlags, ctx: CommandContext): Promise<void> {
  const opts = parseStatusOptions(raw);
  const api = await ctx.api();
  const hook = await requireWebhook(api, ctx.signal);
  registerSecret(hook.secret);
  const baseUrl = (await ctx.settings()).baseUrl;
  const pending = hook.status === "pending";
  const verified = pending && (await wasVerified(ctx.env, baseUrl, hook));
  const challengeUntil =
    pending && !verified ? await openChallenge(ctx.env, baseUrl, hook, ctx.clock.now()) : undefined;
  // Left inactive at a `certwh listen` receiver (its session ended: --on-exit deactivate, or a restore that
  // failed): activating it would post into a closed tunnel with that session's secret.
  const leftover = hook.status === "inactive" && looksLikeListenEndpoint(hook.endpoint);
  const next = leftover
    ? "certwh update-url --url <https-url>"
    : nextStep(hook, { verified, challengeUntil });
  const json = {
    ...webhookJson(hook, opts.showSecret),
    ...(challengeUntil === undefined ? {} : { challenge_expires_at: new Date(challengeUntil).toISOString() }),
    ...(next ? { next } : {}),
  };
  const lines = describeWebhook(hook, opts.showSecret);
  // The API client registers every secret it reads for redaction; --show-secret is the explicit ask.
  if (opts.showSecret && hook.secret) ctx.io.revealResult(json, lines, hook.secret);
  else ctx.io.result(json, lines);
  if (ctx.io.json) return;
  if (leftover) {
    ctx.io.hint(
      "Inactive, and it points at a `certwh listen` receiver that closed with its session: `certwh activate` " +
        "would send events there. Run `certwh listen` to take it again, or point it at your endpoint with `certwh update-url --url <https-url>`, " +
        "giving its events, settings and secret (--events, --secret-env or --secret-file): the webhook still " +
        "has that session's. A failed `listen --on-exit restore` printed the whole command.",
    );
  } else for (const line of explainStatus(hook, { verified, challengeUntil })) ctx.io.hint(line);
}
