// certwh delete: DELETE /webhook/{id}, which DigiCert does not document (spec §14.4). A 404/405 answer
// means CertCentral does not support it: say so and suggest what fits the status instead (exit 3). Destructive, so it
// needs --yes when nobody can be asked, and a confirmation in a terminal.

import { ApiError } from "../api/errors.js";
import { DeclinedError, NO_PROMPTS, RefusedError, UsageError } from "../errors.js";
import type { CommandContext } from "./context.js";
import type { DeleteFlags } from "./specs/lifecycle.js";
import { invalidAction, requireWebhook } from "./webhook/current.js";

interface DeleteOptions {
  /** --yes was given: no confirmation. */
  confirmed: boolean;
}

export function parseDeleteOptions(globals: { yes?: boolean }, interactive: boolean): DeleteOptions {
  const confirmed = globals.yes === true;
  if (!confirmed && !interactive) {
    throw new UsageError(`Deleting the webhook needs confirmation, and ${NO_PROMPTS}: pass --yes.`);
  }
  return { confirmed };
}

/** What to do instead of deleting, by status: deactivate is refused for a pending webhook. */
function instead(status: string): string {
  const repoint = "`certwh update-url --url <new-url>` points it elsewhere.";
  if (status === "pending") {
    return `The webhook is pending: it receives nothing until it is verified and activated, so it can stay as it is; ${repoint}`;
  }
  if (status === "inactive") return `The webhook is already inactive: it receives nothing. ${repoint}`;
  return `Stop deliveries with \`certwh deactivate\` (the configuration stays); ${repoint}`;
}

/** ": <CertCentral's message>" when it gave one. */
function apiReason(err: unknown): string {
  const detail = err instanceof ApiError ? (err.detail ?? err.message) : "";
  return detail ? `: ${detail.replace(/\.$/, "")}` : "";
}

export async function run(_flags: DeleteFlags, ctx: CommandContext): Promise<void> {
  const opts = parseDeleteOptions(ctx.globals, ctx.interactive);
  const api = await ctx.api();
  const hook = await requireWebhook(api, ctx.signal);
  if (!opts.confirmed) {
    const ok = await ctx.prompt.confirm(
      `Delete webhook ${hook.id} (${hook.endpoint}, ${hook.status})? CertCentral keeps no copy.`,
      "--yes",
      false,
    );
    if (!ok) throw new DeclinedError(`Declined: webhook ${hook.id} was not deleted.`);
  }
  try {
    await api.deleteWebhook(hook.id, { signal: ctx.signal });
  } catch (err) {
    // The id was just listed, so any 404 (not_found|route, not_found|webhook) or 405 means the
    // operation itself is unsupported.
    if (err instanceof ApiError && (err.status === 404 || err.status === 405)) {
      throw new RefusedError(
        "CertCentral does not support deleting webhooks (DELETE is not part of its API).",
        { code: "delete_not_supported", hint: instead(hook.status), cause: err },
      );
    }
    // Not the verification's webhook_invalid_action (activate's wording would send the user to a challenge):
    // CertCentral will not delete it in this state; its own words say why.
    throw invalidAction(
      err,
      `CertCentral will not delete webhook ${hook.id} while it is ${hook.status}${apiReason(err)}.`,
      hook.status === "active"
        ? "If it must be switched off first, run `certwh deactivate`, then `certwh delete`."
        : "`certwh status` shows its state.",
    );
  }
  ctx.io.done({ id: hook.id, deleted: true, changed: true }, `Deleted webhook ${hook.id}.`);
}
