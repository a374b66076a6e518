// certwh deactivate: idempotent for scripts. Already inactive → exit 0 with a note and no call.
// A pending webhook is asked about too (spec §17 #14): CertCentral either deactivates it (204) or refuses
// (400 webhook_invalid_action); either way it sends no events, so both end in exit 0 with a note.
// A refusal or a lost answer is checked by reading the webhook back: inactive is success.

import { ApiError } from "../api/errors.js";
import { changeStatus } from "../api/read-back.js";
import type { Webhook } from "../api/types.js";
import type { CommandContext } from "./context.js";
import type { DeactivateFlags } from "./specs/lifecycle.js";
import { switchFailure, withReadBack } from "./webhook/change-failure.js";
import { invalidAction, webhookToSwitch } from "./webhook/current.js";
import { atListenReceiver, LEFTOVER_WAYS_ON } from "./webhook/listen-leftover.js";

/** Why a pending webhook needs no deactivation. */
const PENDING_NOTE = "a pending webhook receives no events until it is verified and activated";

export async function run(_flags: DeactivateFlags, ctx: CommandContext): Promise<void> {
  const found = await webhookToSwitch(ctx, "inactive");
  if (!found) return;
  const { api, hook } = found;
  const base = { id: hook.id, endpoint: hook.endpoint };
  const wasPending = hook.status === "pending";
  // At a `certwh listen` receiver activating it would post into a closed session: name the ways on instead.
  const atListen = atListenReceiver(hook, ctx.env);
  let stillNot: Webhook | undefined;
  const change = await changeStatus(api, hook.id, "deactivate", {
    signal: ctx.signal,
    clock: ctx.clock,
    // A webhook that is (still) pending sends nothing either: the goal of deactivate is met.
    accept: (now) => now.status === "inactive" || (wasPending && now.status === "pending"),
    onStillNot: (now) => {
      stillNot = now;
    },
  }).catch((err: unknown) => {
    if (ctx.signal.aborted || !(err instanceof ApiError && err.hasCode("webhook_invalid_action")))
      throw switchFailure(ctx, err, hook.id, "deactivate", stillNot);
    throw withReadBack(
      ctx,
      invalidAction(
        err,
        `CertCentral refused to deactivate webhook ${hook.id} (status ${hook.status}).`,
        "Check the webhook with `certwh status`; `certwh update-url` points it elsewhere.",
      ),
      stillNot,
    );
  });
  if (change.note) ctx.io.info(change.note);
  if (change.readBack && change.status === "pending") {
    ctx.io.done(
      { ...base, status: "pending", changed: false, read_back: true },
      `Webhook ${hook.id} stays pending, so CertCentral sends it no events anyway: ${PENDING_NOTE}.`,
    );
    return;
  }
  if (wasPending && !change.readBack) {
    // CertCentral accepted it (204); what it made of a pending webhook is read back, not assumed.
    const now = await api.getWebhook({ signal: ctx.signal }).catch(() => null);
    const status = now?.id === hook.id ? String(now.status) : "inactive";
    ctx.io.done(
      { ...base, status, previous_status: "pending", changed: status !== "pending" },
      status === "pending"
        ? `Webhook ${hook.id} stays pending (CertCentral accepted the deactivate and changed nothing), so it sends it no events anyway: ${PENDING_NOTE}.`
        : `Deactivated webhook ${hook.id} (it was pending, and ${PENDING_NOTE})` +
            (atListen ? `. ${LEFTOVER_WAYS_ON}` : "; `certwh activate` turns it on once verified."),
    );
    return;
  }
  ctx.io.done(
    { ...base, status: "inactive", changed: true, ...(change.readBack ? { read_back: true } : {}) },
    `Webhook ${hook.id} is inactive: no events are sent` +
      (atListen
        ? `. It points at a \`certwh listen\` receiver: ${LEFTOVER_WAYS_ON}`
        : "; `certwh activate` resumes them."),
  );
}
