// The completer's API client (createWebhookApi): a key no header can carry is refused at construction with a
// TypeError naming the problem, never the key, instead of failing every call later as a network error.
import assert from "node:assert/strict";
import { test } from "node:test";
import { createWebhookApi } from "../../src/api/webhooks.js";

const KEY = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const api = (apiKey: string) =>
  createWebhookApi({ baseUrl: "http://127.0.0.1:9/services/v2", apiKey, timeoutMs: 1000, userAgent: "t" });

test("an API key with whitespace or control characters is refused at construction, without the key", () => {
  for (const [apiKey, problem] of [
    [`${KEY}\n`, /line break/],
    [`${KEY}\r\n`, /line break/],
    [` ${KEY}`, /whitespace/],
    [" ", /whitespace/],
    [`${KEY}\t`, /control/],
    [`${KEY}\u0000`, /control/],
    [`${KEY}é`, /non-ASCII/],
  ] as const) {
    assert.throws(
      () => api(apiKey),
      (e: unknown) => e instanceof TypeError && problem.test(e.message) && !e.message.includes(KEY),
      JSON.stringify(apiKey),
    );
  }
  assert.doesNotThrow(() => api(KEY));
});
