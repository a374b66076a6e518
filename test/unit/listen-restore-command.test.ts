// The `certwh update-url` a failed --on-exit restore prints: what restoreRequest would have put back, in
// update-url's flags, the secret by a variable the user fills (never its value).
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Webhook } from "../../src/api/types.js";
import { restoreCommand, restoreGaps } from "../../src/listen/on-exit.js";

const before: Webhook = {
  id: 7,
  endpoint: "https://hooks.example.com/certcentral",
  status: "active",
  secret: "p".repeat(40),
  events: ["certificate_issued", "certificate_revoked"],
  webhook_settings: {
    webhook_send_certificate_chain: "0",
    webhook_send_instant_issued_certificate_chain: "0",
    instant_issue_webhook_notification: "1",
    webhook_notification_frequency: [90, -7],
  },
};

test("events, settings and the secret's variable; never the secret", () => {
  const line = restoreCommand(before);
  assert.equal(
    line,
    "certwh update-url --url https://hooks.example.com/certcentral " +
      "--events certificate_issued,certificate_revoked --secret-env CERTWH_PREVIOUS_SECRET " +
      "--no-chain --instant --frequency 90,-7",
  );
  assert.ok(!line.includes("p".repeat(40)));
});

test("no secret before: --remove-secret; settings and events not reported: left out", () => {
  const { secret: _secret, webhook_settings: _settings, ...bare } = before;
  assert.equal(
    restoreCommand({ ...bare, events: null }),
    "certwh update-url --url https://hooks.example.com/certcentral --remove-secret",
  );
});

test("chain settings that differ are left out (--chain sets both); an empty event list cannot be given", () => {
  const line = restoreCommand({
    ...before,
    events: [],
    webhook_settings: {
      webhook_send_certificate_chain: "1",
      webhook_send_instant_issued_certificate_chain: "0",
    },
  });
  assert.equal(
    line,
    "certwh update-url --url https://hooks.example.com/certcentral --secret-env CERTWH_PREVIOUS_SECRET",
  );
});

test("an endpoint needing quotes is quoted for the shell", () => {
  const line = restoreCommand({ ...before, endpoint: "https://hooks.example.com/a b?x=1&y=2" });
  assert.match(line, /^certwh update-url --url 'https:\/\/hooks\.example\.com\/a b\?x=1&y=2' /);
});

test("what the command cannot say is named, to be set by hand; nothing when it says everything", () => {
  assert.deepEqual(restoreGaps(before), []);
  const { webhook_settings: _settings, ...bare } = before;
  assert.deepEqual(
    restoreGaps({ ...bare, events: null }),
    [],
    "unreported events are left alone by restore too",
  );
  assert.deepEqual(
    restoreGaps({
      ...before,
      events: [],
      webhook_settings: {
        webhook_send_certificate_chain: "1",
        webhook_send_instant_issued_certificate_chain: "0",
        webhook_notification_frequency: [],
      },
    }),
    [
      "its events (it had none subscribed)",
      "the certificate chain settings (webhook_send_certificate_chain on, " +
        "webhook_send_instant_issued_certificate_chain off: --chain sets both alike)",
      "the notification days (it had none)",
    ],
  );
  // One chain setting reported: --chain/--no-chain says it (update-url sets both).
  assert.deepEqual(restoreGaps({ ...before, webhook_settings: { webhook_send_certificate_chain: "1" } }), []);
});
