// certwh verify --token <token>: check-challenge, then activate (unless --no-activate).
// The token is opaque: only surrounding whitespace is removed. check-challenge is sent exactly once.
// On an already active webhook a refused token is not a failure: verification is not needed (exit 0 with
// a note, like activate's idempotence). The token is still sent, since it may be for a newer challenge.

import { ApiError } from "../api/errors.js";
import { changeStatus, type StatusChange } from "../api/read-back.js";
import type { Webhook } from "../api/types.js";
import { isAmbiguousFailure } from "../api/webhooks.js";
import { UsageError } from "../errors.js";
import { reword } from "../io/exit-codes.js";
import { stageLine } from "../io/render-stage.js";
import type { CommandContext } from "./context.js";
import type { VerifyFlags } from "./specs/lifecycle.js";
import {
  interruptedWithHint,
  switchFailure,
  TOKEN_MAY_BE_ACCEPTED,
  TOKEN_MAY_BE_USED,
  withLeadHint,
  withReadBack,
} from "./webhook/change-failure.js";
import { invalidAction, NEEDS_TEST_HINT, requireWebhook } from "./webhook/current.js";
import { forgetChallenge, markVerified, openChallengeHint } from "./webhook/verified-mark.js";

interface VerifyOptions {
  token: string;
  activate: boolean;
}

export function parseVerifyOptions(raw: VerifyFlags): VerifyOptions {
  // Surrounding whitespace only: the token is opaque (spec §17 #17).
  const token = (raw.token ?? "").trim();
  if (!token) {
    throw new UsageError("--token is empty: give the token from the challenge_webhook_endpoint event.", {
      hint: "Send one with `certwh challenge`; it arrives at the endpoint as data.token.",
    });
  }
  return { token, activate: raw.activate !== false };
}

export async function run(raw: VerifyFlags, ctx: CommandContext): Promise<void> {
  const opts = parseVerifyOptions(raw);
  const api = await ctx.api();
  const hook = await requireWebhook(api, ctx.signal);
  try {
    await api.checkChallenge(hook.id, opts.token, { signal: ctx.signal });
  } catch (err) {
    // No answer (or none waited for): the token may have been accepted, and a second check-challenge would
    // be refused.
    if (ctx.signal.aborted) throw interruptedWithHint(ctx.signal, err, TOKEN_MAY_BE_ACCEPTED);
    if (isAmbiguousFailure(err)) throw withLeadHint(err, TOKEN_MAY_BE_ACCEPTED);
    // Rate-limited before CertCentral looked at it: the token is unused and works again within its 30 minutes.
    if (err instanceof ApiError && err.status === 429)
      throw reword(err, {
        hint: (hint) =>
          `${hint ? `${hint}\n  ` : ""}The token was not used: run the same \`certwh verify --token …\` again ` +
          "within its 30 minutes.",
      });
    if (hook.status === "active" && err instanceof ApiError && err.hasCode("webhook_invalid_token")) {
      ctx.io.done(
        { id: hook.id, endpoint: hook.endpoint, status: "active", verified: true, changed: false },
        `Webhook ${hook.id} is already active, so verification is not needed (CertCentral refused the token, ` +
          "which is expected once a webhook is verified).",
      );
      return;
    }
    // A wrong token while the one certwh sent is still valid: a new challenge would void that one. A token
    // already used (the endpoint verified itself, or a lost answer) leaves only activate to do.
    if (hook.status === "pending" && err instanceof ApiError && err.hasCode("webhook_invalid_token")) {
      const open = await openChallengeHint(ctx.env, (await ctx.settings()).baseUrl, hook, ctx.clock.now());
      throw reword(err, { hint: (hint) => `${open ?? hint}\n  ${TOKEN_MAY_BE_USED}` });
    }
    throw err;
  }
  await forgetChallenge(ctx.env);
  // The same stage line create, update-url and listen print.
  const verified = stageLine({ stage: "verified", webhook_id: hook.id });
  if (verified) ctx.io[verified.level](verified.text);
  if (!opts.activate) {
    // `certwh status` reports such a webhook as pending; this lets it suggest `certwh activate`.
    if (hook.status === "pending") await markVerified(ctx.env, (await ctx.settings()).baseUrl, hook);
    ctx.io.done(
      { id: hook.id, endpoint: hook.endpoint, status: hook.status, verified: true, changed: true },
      `Verified webhook ${hook.id}. Activate it with \`certwh activate\`.`,
    );
    return;
  }
  let change: StatusChange;
  let stillNot: Webhook | undefined;
  try {
    change = await changeStatus(api, hook.id, "activate", {
      signal: ctx.signal,
      clock: ctx.clock,
      onStillNot: (now) => {
        stillNot = now;
      },
    });
  } catch (err) {
    // Verified but not active: `certwh status` should say activate next, not challenge again.
    if (hook.status === "pending") await markVerified(ctx.env, (await ctx.settings()).baseUrl, hook);
    if (ctx.signal.aborted) throw switchFailure(ctx, err, hook.id, "activate");
    const refused = invalidAction(
      err,
      `CertCentral accepted the token but refused to activate webhook ${hook.id}.`,
      NEEDS_TEST_HINT,
    );
    // Not a refusal (a timeout, a 5xx): `certwh activate` may simply work next time.
    if (refused !== err) throw withReadBack(ctx, refused, stillNot);
    ctx.io.warn(
      `Webhook ${hook.id} is verified, but activating it failed: run \`certwh activate\` to retry.`,
    );
    throw switchFailure(ctx, err, hook.id, "activate", stillNot);
  }
  if (change.note) ctx.io.info(change.note);
  ctx.io.done(
    {
      id: hook.id,
      endpoint: hook.endpoint,
      status: "active",
      verified: true,
      changed: true,
      ...(change.readBack ? { read_back: true } : {}),
    },
    `Webhook ${hook.id} is active: CertCentral now sends the subscribed events to ${hook.endpoint}.`,
  );
}
