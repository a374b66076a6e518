// certwh activate: idempotent for scripts. Already active → exit 0 with a note and no call.
// An unverified webhook (webhook_invalid_action) gets the challenge steps explained, exit 3. A refusal or
// a lost answer is checked by reading the webhook back: active is success (exit 0, with a note).

import { ApiError } from "../api/errors.js";
import { changeStatus, type StatusChange } from "../api/read-back.js";
import { RefusedError } from "../errors.js";
import type { CommandContext } from "./context.js";
import type { ActivateFlags } from "./specs/lifecycle.js";
import { requireWebhook } from "./webhook/current.js";
import { VERIFY_COMMAND } from "./webhook/verification-steps.js";
import { clearVerified } from "./webhook/verified-mark.js";

export async function run(_flags: ActivateFlags, ctx: CommandContext): Promise<void> {
  const api = await ctx.api();
  const hook = await requireWebhook(api, ctx.signal);
  const base = { id: hook.id, endpoint: hook.endpoint };
  if (hook.status === "active") {
    ctx.io.done(
      { ...base, status: "active", changed: false },
      `Webhook ${hook.id} is already active; nothing to do.`,
    );
    return;
  }
  let change: StatusChange;
  try {
    change = await changeStatus(api, hook.id, "activate", { signal: ctx.signal, clock: ctx.clock });
  } catch (err) {
    if (err instanceof ApiError && err.hasCode("webhook_invalid_action")) {
      throw new RefusedError(
        `Webhook ${hook.id} cannot be activated yet: CertCentral needs the endpoint verified first (status ${hook.status}).`,
        {
          code: "webhook_invalid_action",
          hint: `Run \`certwh challenge\`; CertCentral sends a token to ${hook.endpoint} (valid 30 minutes). Then \`${VERIFY_COMMAND}\` verifies and activates.`,
          cause: err,
        },
      );
    }
    throw err;
  }
  await clearVerified(ctx.env);
  if (change.note) ctx.io.info(change.note);
  ctx.io.done(
    { ...base, status: "active", changed: true, ...(change.readBack ? { read_back: true } : {}) },
    `Webhook ${hook.id} is active.`,
  );
}
