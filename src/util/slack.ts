// The one test for "this endpoint is a Slack incoming webhook", shared by the CLI's warnings and
// refusals, trigger and the sandbox's sender, so none of them can be bypassed where another is not.
//
// https:// only, as Slack's incoming webhooks are (and CertCentral delivers only to https). The WHATWG
// parser already lower-cases the host; a trailing dot (the fully-qualified form, "hooks.slack.com.")
// names the same host in DNS, so it is stripped before comparing.

const SLACK_WEBHOOK_HOST = "hooks.slack.com";

/** True for an https:// URL on hooks.slack.com (any letter case, with or without a trailing dot). */
export function isSlackWebhookUrl(url: string): boolean {
  const parsed = URL.parse(url);
  return (
    parsed?.protocol === "https:" && parsed.hostname.toLowerCase().replace(/\.+$/, "") === SLACK_WEBHOOK_HOST
  );
}

/** Where the user finds a challenge token: a Slack endpoint gets it as a message in its channel. */
export function challengeTokenSource(endpoint: string): string {
  return isSlackWebhookUrl(endpoint)
    ? "the token in CertCentral's challenge message in the Slack channel"
    : "data.token of that challenge_webhook_endpoint event";
}
