// Small helpers every lifecycle command needs: the account's webhook (or a plain "none" error), the URL
// policy that depends on where the API lives, and what activate and deactivate share.

import { ApiError } from "../../api/errors.js";
import type { Webhook, WebhookApi } from "../../api/types.js";
import { NotFoundError, RefusedError } from "../../errors.js";
import { isLoopbackUrl } from "../../util/loopback.js";
import type { CommandContext } from "../context.js";
import type { UrlPolicy } from "../options/webhook-flags.js";

/** GET /webhook → webhooks[0]; NotFoundError (exit 5) when the account has none. */
export async function requireWebhook(api: WebhookApi, signal?: AbortSignal): Promise<Webhook> {
  const hook = await api.getWebhook({ signal });
  if (!hook) {
    throw new NotFoundError("No webhook is configured in this CertCentral account.", {
      hint: "Create one with `certwh create --url https://hooks.example.com/certcentral`.",
    });
  }
  return hook;
}

/** http:// on loopback is only allowed when the API itself is on loopback (the sandbox). */
export async function urlPolicy(ctx: Pick<CommandContext, "settings">): Promise<UrlPolicy> {
  const settings = await ctx.settings();
  return { allowLoopbackHttp: isLoopbackUrl(settings.baseUrl) };
}

/**
 * activate/deactivate: the webhook to switch, or undefined when it already has `status` (said, exit 0, no
 * call: both are idempotent for scripts).
 */
export async function webhookToSwitch(
  ctx: Pick<CommandContext, "api" | "io" | "signal">,
  status: "active" | "inactive",
  /** Said after "already …" too (activate's warning about a listen receiver). */
  afterwards?: (hook: Webhook) => void,
): Promise<{ api: WebhookApi; hook: Webhook } | undefined> {
  const api = await ctx.api();
  const hook = await requireWebhook(api, ctx.signal);
  if (hook.status !== status) return { api, hook };
  ctx.io.done(
    { id: hook.id, endpoint: hook.endpoint, status, changed: false },
    `Webhook ${hook.id} is already ${status}; nothing to do.`,
  );
  afterwards?.(hook);
  return undefined;
}

/**
 * Activation refused after the token was accepted: one reading of CertCentral (the test-required quirk)
 * also wants a successful test event to the current endpoint, which a failed or skipped test leaves out.
 */
export const NEEDS_TEST_HINT =
  "It may need a successful test event to the endpoint first: run `certwh test`, then `certwh activate`.";

/** CertCentral's webhook_invalid_action in the command's words (exit 3); any other error as it is. */
export function invalidAction(err: unknown, message: string, hint: string): unknown {
  return err instanceof ApiError && err.hasCode("webhook_invalid_action")
    ? new RefusedError(message, { code: "webhook_invalid_action", hint, cause: err })
    : err;
}
