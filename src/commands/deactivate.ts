// certwh deactivate: idempotent for scripts. Already inactive → exit 0 with a note and no call.
// A pending webhook cannot be deactivated (nothing is being sent yet): explained, exit 3.

import { ApiError } from "../api/errors.js";
import { RefusedError } from "../errors.js";
import type { CommandContext } from "./context.js";
import type { DeactivateFlags } from "./specs/lifecycle.js";
import { requireWebhook } from "./webhook/current.js";

const PENDING_HINT =
  "A pending webhook sends no events, so there is nothing to stop. Finish verification with " +
  "`certwh challenge` and `certwh verify --token <token>`, or point it elsewhere with `certwh update-url`.";

export async function run(_flags: DeactivateFlags, ctx: CommandContext): Promise<void> {
  const api = await ctx.api();
  const hook = await requireWebhook(api, ctx.signal);
  const base = { id: hook.id, endpoint: hook.endpoint };
  if (hook.status === "inactive") {
    ctx.io.done(
      { ...base, status: "inactive", changed: false },
      `Webhook ${hook.id} is already inactive; nothing to do.`,
    );
    return;
  }
  if (hook.status === "pending") {
    throw new RefusedError(`Webhook ${hook.id} is pending (not verified yet) and cannot be deactivated.`, {
      code: "webhook_invalid_action",
      hint: PENDING_HINT,
    });
  }
  try {
    await api.deactivate(hook.id, { signal: ctx.signal });
  } catch (err) {
    if (err instanceof ApiError && err.hasCode("webhook_invalid_action")) {
      throw new RefusedError(
        `CertCentral refused to deactivate webhook ${hook.id} (status ${hook.status}).`,
        {
          code: "webhook_invalid_action",
          hint: PENDING_HINT,
          cause: err,
        },
      );
    }
    throw err;
  }
  ctx.io.done(
    { ...base, status: "inactive", changed: true },
    `Webhook ${hook.id} is inactive: no events are sent; \`certwh activate\` resumes them.`,
  );
}
