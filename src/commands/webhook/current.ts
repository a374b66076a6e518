// Small helpers every lifecycle command needs: the account's webhook (or a plain "none" error) and the
// URL policy that depends on where the API lives.

import type { Webhook, WebhookApi } from "../../api/types.js";
import { NotFoundError } from "../../errors.js";
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
