// listen's forwarding flags: --forward-to (repeatable) and --skip-verify, checked before anything starts.

import { UsageError } from "../../errors.js";
import { MAX_FORWARD_TARGETS } from "../../listen/forward-targets.js";
import { isLoopbackUrl } from "../../util/loopback.js";
import { isSlackWebhookUrl } from "../../util/slack.js";
import { parseHttpUrl } from "./flag-values.js";

const SLACK_REFUSAL =
  "is a Slack incoming-webhook URL: listen forwards CertCentral's JSON events, which a Slack channel cannot read.";

/** One --forward-to value: any http(s) URL of the user's app, but not Slack, and no credentials in it. */
function parseForwardUrl(value: string): string {
  if (isSlackWebhookUrl(value))
    throw new UsageError(`--forward-to ${SLACK_REFUSAL}`, { hint: "Forward to your own app instead." });
  const url = parseHttpUrl("--forward-to", value);
  if (url.username || url.password)
    throw new UsageError("--forward-to must not contain a user name or password.");
  return url.href;
}

/**
 * Every --forward-to, in order: at most 8, none twice (the same URL after normalising, e.g. the host's case
 * or a default port), and --skip-verify only where it is safe: https targets on this computer.
 */
export function parseForwardTargets(
  values: readonly string[] | undefined,
  skipVerify: boolean,
): { forwardTo: string[] | undefined; skipVerify: boolean } {
  const urls = (values ?? []).map(parseForwardUrl);
  if (urls.length > MAX_FORWARD_TARGETS)
    throw new UsageError(
      `--forward-to can be given at most ${MAX_FORWARD_TARGETS} times (got ${urls.length}): each target holds its own queue and requests.`,
    );
  const twice = urls.find((url, i) => urls.indexOf(url) !== i);
  if (twice !== undefined)
    throw new UsageError(`--forward-to ${twice} is given twice: each target already gets every event once.`);
  const forwardTo = urls.length ? urls : undefined;
  if (!skipVerify) return { forwardTo, skipVerify: false };
  const https = urls.filter((url) => url.startsWith("https:"));
  if (https.length === 0)
    throw new UsageError("--skip-verify only applies to an https:// --forward-to target on this computer.", {
      hint: "Give one, e.g. --forward-to https://localhost:8443/webhooks, or leave --skip-verify out.",
    });
  const remote = https.find((url) => !isLoopbackUrl(url));
  if (remote !== undefined)
    throw new UsageError(
      `--skip-verify is refused for ${remote}: it is not on this computer, and an unchecked certificate there ` +
        "would let anyone in between read X-WEBHOOK-KEY (the webhook secret).",
      {
        hint: "Use --skip-verify only with targets on 127.0.0.1, ::1 or localhost; give a remote app a certificate it can prove.",
      },
    );
  return { forwardTo, skipVerify: true };
}
