// certwh challenge: send a new challenge token to the webhook's endpoint (valid 30 minutes).
// send-challenge is never retried (each call issues a new token).

import { formatClockTime, tokenWhere } from "../io/render-stage.js";
import { CHALLENGE_WINDOW_MS } from "../verification/stages.js";
import type { CommandContext } from "./context.js";
import type { ChallengeFlags } from "./specs/lifecycle.js";
import { requireWebhook } from "./webhook/current.js";
import { VERIFY_COMMAND } from "./webhook/verification-steps.js";
import { markChallenged } from "./webhook/verified-mark.js";

export async function run(_flags: ChallengeFlags, ctx: CommandContext): Promise<void> {
  const api = await ctx.api();
  const hook = await requireWebhook(api, ctx.signal);
  const sentAt = ctx.clock.now();
  await api.sendChallenge(hook.id, { signal: ctx.signal });
  const deadline = sentAt + CHALLENGE_WINDOW_MS;
  await markChallenged(ctx.env, (await ctx.settings()).baseUrl, hook, deadline);
  ctx.io.done(
    {
      id: hook.id,
      endpoint: hook.endpoint,
      status: hook.status,
      challenge_sent: true,
      expires_at: new Date(deadline).toISOString(),
      changed: true,
    },
    `Sent a challenge token for webhook ${hook.id}; ${tokenWhere(hook.endpoint)}. CertCentral does not say ` +
      "whether it was delivered: if nothing arrives, `certwh logs` shows the delivery.",
  );
  ctx.io.hint(`It is valid for 30 minutes (until ${formatClockTime(deadline)}). Then run: ${VERIFY_COMMAND}`);
}
