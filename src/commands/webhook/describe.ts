// How a webhook is shown to people (status, and create when one already exists) and to scripts (--json).
// The secret is masked unless the user explicitly asked for it.

import type { Webhook } from "../../api/types.js";
import { formatClockTime } from "../../io/render-stage.js";
import { printable } from "../../util/printable.js";
import { mask } from "../../util/redact.js";
import { challengeTokenSource, isSlackWebhookUrl } from "../../util/slack.js";

/**
 * The webhook as a JSON value: the API's fields, secret masked unless `showSecret`; `events` is null when
 * CertCentral did not report them.
 */
export function webhookJson(hook: Webhook, showSecret = false): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: hook.id,
    endpoint: hook.endpoint,
    status: hook.status,
    events: hook.events,
    webhook_settings: hook.webhook_settings ?? {},
  };
  if (hook.secret !== undefined) out.secret = showSecret ? hook.secret : mask(hook.secret);
  return out;
}

const onOff = (v: string | number | boolean | undefined): string =>
  v === undefined ? "not set" : v === "1" || v === 1 || v === true ? "on" : "off";

/** The subscribed events; an answer without them is "not reported", never "(none)". */
function eventsText(events: string[] | null): string {
  if (events === null) return "not reported by CertCentral (unknown)";
  return events.length > 0 ? events.map(printable).join(", ") : "(none)";
}

/** Aligned "label  value" lines describing the webhook. Every value from the API is shown printable(). */
export function describeWebhook(hook: Webhook, showSecret = false): string[] {
  const s = hook.webhook_settings ?? {};
  const secret =
    hook.secret === undefined
      ? "none (X-WEBHOOK-KEY is not sent)"
      : showSecret
        ? hook.secret
        : mask(hook.secret);
  const rows: [string, string][] = [
    ["Webhook", String(hook.id)],
    ["Endpoint", printable(hook.endpoint)],
    ["Status", printable(hook.status)],
    ["Events", eventsText(hook.events)],
    ["Secret", printable(secret)],
    ["Certificate chain", onOff(s.webhook_send_certificate_chain)],
    ["Instant issuance", onOff(s.instant_issue_webhook_notification)],
    [
      "Notify (days)",
      s.webhook_notification_frequency
        ? s.webhook_notification_frequency.map((d) => printable(String(d))).join(", ")
        : "not set",
    ],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`);
}

/** The command that moves `hook` on, as explainStatus says it (none when active or unknown). */
export function nextStep(hook: Webhook, opts: { verified?: boolean; challengeUntil?: number } = {}) {
  if (hook.status === "inactive" || (hook.status === "pending" && opts.verified)) return "certwh activate";
  if (hook.status !== "pending") return undefined;
  return opts.challengeUntil === undefined ? "certwh challenge" : "certwh verify --token <token>";
}

/**
 * What the state means and what to do next (stderr hints). `verified`: certwh verified this pending webhook
 * itself (`verify --no-activate`, or a verify whose activate failed), so activating it is the next step, not
 * a new challenge. `challengeUntil`:
 * certwh sent it a challenge whose token is still valid until then (epoch ms), so the next step is verify.
 */
export function explainStatus(
  hook: Webhook,
  opts: { verified?: boolean; challengeUntil?: number } = {},
): string[] {
  const lines: string[] = [];
  switch (hook.status) {
    case "pending":
      if (opts.verified) {
        lines.push(
          "Pending: the endpoint was verified, but the webhook is not active yet.",
          "Next: `certwh activate` starts the events (if CertCentral refuses, send a new token with `certwh challenge`).",
        );
        break;
      }
      if (opts.challengeUntil !== undefined) {
        lines.push(
          `Pending: certwh sent a challenge token to the endpoint, valid until ${formatClockTime(opts.challengeUntil)}.`,
          `Next: \`certwh verify --token <token>\` with ${challengeTokenSource(hook.endpoint)} ` +
            "(if it never arrived, `certwh challenge` sends a new one).",
          "If the token was already submitted (by your endpoint, or a verify whose answer was lost), " +
            "`certwh activate` finishes.",
        );
        break;
      }
      lines.push(
        "Pending: CertCentral sends no events until the endpoint is verified and the webhook activated.",
        "Next: `certwh challenge` sends a token to the endpoint (valid 30 minutes); then " +
          "`certwh verify --token <token>` verifies and activates.",
      );
      break;
    case "inactive":
      lines.push(
        "Inactive: the configuration is kept, but no events are sent. Resume with `certwh activate`.",
      );
      break;
    case "active":
      lines.push("Active: CertCentral sends the subscribed events to the endpoint.");
      break;
    default:
      lines.push(`CertCentral reports the status "${printable(hook.status)}", which certwh does not know.`);
  }
  if (isSlackWebhookUrl(hook.endpoint)) {
    lines.push("The endpoint is a Slack incoming webhook: CertCentral posts messages to the channel.");
  }
  return lines;
}
