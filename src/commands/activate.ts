// certwh activate: idempotent for scripts. Already active → exit 0 with a note and no call.
// An unverified webhook (webhook_invalid_action) gets the challenge steps explained, exit 3. A refusal or
// a lost answer is checked by reading the webhook back: active is success (exit 0, with a note).

import { ApiError } from "../api/errors.js";
import { changeStatus } from "../api/read-back.js";
import type { Webhook } from "../api/types.js";
import type { CommandContext } from "./context.js";
import type { ActivateFlags } from "./specs/lifecycle.js";
import { switchFailure, withReadBack } from "./webhook/change-failure.js";
import { invalidAction, NEEDS_TEST_HINT, webhookToSwitch } from "./webhook/current.js";
import { activateWarning, atListenReceiver } from "./webhook/listen-leftover.js";
import { VERIFY_COMMAND } from "./webhook/verification-steps.js";
import { clearVerified, openChallengeHint, wasVerified } from "./webhook/verified-mark.js";

export async function run(_flags: ActivateFlags, ctx: CommandContext): Promise<void> {
  // Active as asked, but a listen receiver only takes events while its session runs.
  const warnAtListen = (hook: Webhook) => {
    if (atListenReceiver(hook, ctx.env)) ctx.io.warn(activateWarning(hook.id));
  };
  const found = await webhookToSwitch(ctx, "active", warnAtListen);
  if (!found) return;
  const { api, hook } = found;
  let stillNot: Webhook | undefined;
  const change = await changeStatus(api, hook.id, "activate", {
    signal: ctx.signal,
    clock: ctx.clock,
    onStillNot: (now) => {
      stillNot = now;
    },
  }).catch(async (err: unknown) => {
    if (ctx.signal.aborted || !(err instanceof ApiError && err.hasCode("webhook_invalid_action")))
      throw switchFailure(ctx, err, hook.id, "activate", stillNot);
    // Verified on this computer (verify's note), or inactive (it was active, so verified): a new challenge
    // would not help, a test event may.
    if (hook.status === "inactive" || (await wasVerified(ctx.env, (await ctx.settings()).baseUrl, hook))) {
      throw withReadBack(
        ctx,
        invalidAction(
          err,
          `Webhook ${hook.id} was verified, but CertCentral will not activate it (status ${hook.status}).`,
          NEEDS_TEST_HINT,
        ),
        stillNot,
      );
    }
    const tokenOut = await openChallengeHint(ctx.env, (await ctx.settings()).baseUrl, hook, ctx.clock.now());
    throw withReadBack(
      ctx,
      invalidAction(
        err,
        `Webhook ${hook.id} cannot be activated yet: CertCentral needs the endpoint verified first (status ${hook.status}).`,
        tokenOut ??
          `Run \`certwh challenge\`; CertCentral sends a token to ${hook.endpoint} (valid 30 minutes). Then \`${VERIFY_COMMAND}\` verifies and activates.`,
      ),
      stillNot,
    );
  });
  await clearVerified(ctx.env);
  if (change.note) ctx.io.info(change.note);
  ctx.io.done(
    {
      id: hook.id,
      endpoint: hook.endpoint,
      status: "active",
      changed: true,
      ...(change.readBack ? { read_back: true } : {}),
    },
    `Webhook ${hook.id} is active.`,
  );
  warnAtListen(hook);
}
