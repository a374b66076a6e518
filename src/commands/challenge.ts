// certwh challenge: send a new challenge token to the webhook's endpoint (valid 30 minutes).
// send-challenge is never retried (each call issues a new token).

import type { CommandContext } from "../cli/context.js";
import { requireWebhook } from "../flows/current-webhook.js";
import { CHALLENGE_WINDOW_MS } from "../flows/verification.js";
import { formatClockTime, tokenWhere, VERIFY_COMMAND } from "../flows/verification-cli.js";

export async function run(_raw: Record<string, unknown>, ctx: CommandContext): Promise<void> {
  const api = await ctx.api();
  const hook = await requireWebhook(api, ctx.signal);
  const sentAt = ctx.clock.now();
  await api.sendChallenge(hook.id, { signal: ctx.signal });
  const deadline = sentAt + CHALLENGE_WINDOW_MS;
  ctx.io.done(
    {
      id: hook.id,
      endpoint: hook.endpoint,
      status: hook.status,
      challenge_sent: true,
      expires_at: new Date(deadline).toISOString(),
      changed: true,
    },
    `Sent a challenge token for webhook ${hook.id}; ${tokenWhere(hook.endpoint)}.`,
  );
  ctx.io.hint(`It is valid for 30 minutes (until ${formatClockTime(deadline)}). Then run: ${VERIFY_COMMAND}`);
}
