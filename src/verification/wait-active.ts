// --wait for create and update-url (CI): after the challenge is sent, the endpoint itself is expected to
// complete it (a production receiver built on certwh's receiver library submits the token and activates).
// certwh only watches: it polls GET /webhook on the injected clock until the webhook is active or the
// time is up. It never submits a token and never sends a second challenge.

import type { WebhookApi } from "../api/types.js";
import { UsageError } from "../errors.js";
import type { Clock } from "../util/clock.js";
import { parseDuration } from "../util/duration.js";
import { CHALLENGE_WINDOW_MS } from "./stages.js";

/** How often the status is read while waiting. */
export const WAIT_POLL_MS = 2000;

/** --wait 5m → ms; at most the token's 30 minutes (after that the challenge cannot succeed anyway). */
export function parseWaitOption(value: string | undefined, verify: boolean): number | undefined {
  if (value === undefined) return undefined;
  if (!verify) throw new UsageError("--wait cannot be combined with --no-verify (nothing would be sent).");
  const ms = parseDuration(value, "--wait");
  if (ms > CHALLENGE_WINDOW_MS) {
    throw new UsageError(`--wait ${value} is longer than the challenge token's 30 minutes; use at most 30m.`);
  }
  return ms;
}

interface WaitActiveOptions {
  api: WebhookApi;
  webhookId: number;
  timeoutMs: number;
  clock: Clock;
  signal?: AbortSignal;
}

/** true once GET /webhook shows this webhook active; false when timeoutMs passed first. */
export async function waitUntilActive(opts: WaitActiveOptions): Promise<boolean> {
  const deadline = opts.clock.now() + opts.timeoutMs;
  // Bounded in count too, whatever the clock does.
  const maxPolls = Math.ceil(opts.timeoutMs / WAIT_POLL_MS) + 1;
  for (let poll = 0; poll < maxPolls; poll++) {
    const hook = await opts.api.getWebhook({ signal: opts.signal });
    if (hook?.id === opts.webhookId && hook.status === "active") return true;
    const left = deadline - opts.clock.now();
    if (left <= 0) return false;
    await opts.clock.sleep(Math.min(WAIT_POLL_MS, left), opts.signal);
  }
  return false;
}
