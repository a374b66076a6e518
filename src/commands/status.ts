// certwh status (alias show): the account's webhook, what its state means, and what to do next.

import { registerSecret } from "../util/redact.js";
import type { CommandContext } from "./context.js";
import type { StatusFlags } from "./specs/lifecycle.js";
import { requireWebhook } from "./webhook/current.js";
import { describeWebhook, explainStatus, nextStep, webhookJson } from "./webhook/describe.js";
import { LEFTOVER_NEXT, leftoverHint } from "./webhook/listen-leftover.js";
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
  // At a `certwh listen` receiver: inactive, its session ended (activating it would post into a closed
  // tunnel with that session's secret); active, its session may have ended without deactivating it.
  const leftover = leftoverHint(hook, ctx.env);
  const next =
    leftover && hook.status === "inactive" ? LEFTOVER_NEXT : nextStep(hook, { verified, challengeUntil });
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
  // Inactive there: the leftover hint replaces "Resume with `certwh activate`"; active: it adds to it.
  if (!leftover || hook.status !== "inactive")
    for (const line of explainStatus(hook, { verified, challengeUntil })) ctx.io.hint(line);
  if (leftover) ctx.io.hint(leftover);
}
