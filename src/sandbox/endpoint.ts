// Which endpoint URLs the sandbox accepts: https:// as in CertCentral, plus http:// on loopback
// (sandbox only, so tests and the quick start need no certificate).

// The loopback rule is util/loopback.ts, shared with the CLI: util is common ground, and the sandbox stays
// independent of the API client, which is what matters (architecture §2).
import { isLoopbackHost } from "../util/loopback.js";
import { isSlackWebhookUrl } from "../util/slack.js";

/** Parsed endpoint when acceptable, else null (→ 400 webhook_invalid_endpoint). */
export function parseEndpoint(value: unknown): URL | null {
  if (typeof value !== "string" || value.trim() !== value || value === "") return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  if (!url.hostname || url.username || url.password) return null;
  if (url.protocol === "https:") return url;
  if (url.protocol === "http:" && isLoopbackHost(url.hostname)) return url;
  return null;
}

/** Where a delivery to `url` really goes: Slack URLs are re-pointed at `slackHost` when one is set. */
export function deliveryTarget(url: string, slackHost: string | undefined): string {
  if (!slackHost || !isSlackWebhookUrl(url)) return url;
  const u = new URL(url);
  return `http://${slackHost}${u.pathname}${u.search}`;
}
