// The one Slack incoming-webhook check (src/util/slack.ts) that every caller shares.
import assert from "node:assert/strict";
import { test } from "node:test";
import { deliveryTarget } from "../../src/sandbox/deliver.js";
import { isSlackWebhookUrl } from "../../src/util/slack.js";

test("Slack URLs are recognised whatever the letter case, and with the trailing dot of a fully-qualified host", () => {
  const slack = [
    "https://hooks.slack.com/services/T0/B0/xyz",
    "https://HOOKS.SLACK.COM/services/T0/B0/xyz",
    "https://hooks.slack.com./services/T0/B0/xyz",
    "https://HOOKS.SLACK.COM./services/T0/B0/xyz",
    "https://Hooks.Slack.Com../services/T0/B0/xyz",
    "HTTPS://hooks.slack.com:443/services/T0/B0/xyz",
    "https://hooks.slack.com:8443/services/T0/B0/xyz",
  ];
  for (const url of slack) assert.equal(isSlackWebhookUrl(url), true, url);
  const notSlack = [
    "http://hooks.slack.com/services/T0/B0/xyz",
    "https://hooks.slack.com.evil.example/services",
    "https://evil.example/hooks.slack.com/services",
    "https://nothooks.slack.com/services",
    "https://slack.com/services",
    "https://hooks.slack.co/services",
    "not a url",
    "",
  ];
  for (const url of notSlack) assert.equal(isSlackWebhookUrl(url), false, url);
});

test("the sandbox maps trailing-dot and upper-case Slack URLs to --slack-host like the plain form", () => {
  assert.equal(
    deliveryTarget("https://HOOKS.SLACK.COM./services/T0/B0/xyz?a=1", "127.0.0.1:4567"),
    "http://127.0.0.1:4567/services/T0/B0/xyz?a=1",
  );
  assert.equal(deliveryTarget("https://example.com/hook", "127.0.0.1:4567"), "https://example.com/hook");
});
