// Which endpoint URLs the sandbox accepts: https:// as in CertCentral, plus http:// on loopback
// (sandbox only, so tests and the quick start need no certificate).

import { isIP } from "node:net";
import { isSlackWebhookUrl } from "../util/slack.js";

function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (host === "localhost" || host.endsWith(".localhost")) return true;
  if (isIP(host) === 4) return host.startsWith("127.");
  if (isIP(host) === 6) return host === "::1" || host === "0:0:0:0:0:0:0:1";
  return false;
}

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
