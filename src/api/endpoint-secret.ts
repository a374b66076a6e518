// Endpoint URLs that are credentials themselves. Kept apart from client.ts so that flag parsing can use
// it without loading the HTTP stack.

import { registerSecret } from "../util/redact.js";
import { isSlackWebhookUrl } from "../util/slack.js";

/**
 * A Slack incoming-webhook URL is itself a credential (https://hooks.slack.com/services/T…/B…/<secret>):
 * anyone holding it can post to the channel. Register its last path segment so that it is masked
 * wherever the URL would be shown, like any other secret.
 */
export function registerEndpointSecret(endpoint: string | undefined): void {
  if (endpoint === undefined || !isSlackWebhookUrl(endpoint)) return;
  const last = new URL(endpoint).pathname.split("/").filter(Boolean).at(-1);
  registerSecret(last);
}
