// normaliseSettings (src/api/webhooks.ts): settings as CertCentral answers them → the form it takes.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { WebhookSettings } from "../../src/api/types.js";
import { normaliseSettings } from "../../src/api/webhooks.js";

test('normaliseSettings: flags as booleans, numbers or strings → "1"/"0"; the frequency list copied', () => {
  const loose = (v: unknown) => v as string;
  const table: [WebhookSettings | undefined, WebhookSettings][] = [
    [undefined, {}],
    [{}, {}],
    [
      {
        instant_issue_webhook_notification: loose(true),
        webhook_send_certificate_chain: loose(0),
        webhook_send_instant_issued_certificate_chain: "1",
      },
      {
        instant_issue_webhook_notification: "1",
        webhook_send_certificate_chain: "0",
        webhook_send_instant_issued_certificate_chain: "1",
      },
    ],
    [
      { webhook_send_certificate_chain: loose(1), instant_issue_webhook_notification: loose(false) },
      { webhook_send_certificate_chain: "1", instant_issue_webhook_notification: "0" },
    ],
    [{ webhook_send_certificate_chain: loose(null) }, {}],
    [{ webhook_send_certificate_chain: "yes" }, { webhook_send_certificate_chain: "0" }],
    [{ webhook_notification_frequency: [90, 30, 0] }, { webhook_notification_frequency: [90, 30, 0] }],
    [{ webhook_notification_frequency: loose("90") as unknown as number[] }, {}],
  ];
  for (const [input, expected] of table)
    assert.deepEqual(normaliseSettings(input), expected, JSON.stringify(input));
  const days = [90, 60];
  const out = normaliseSettings({ webhook_notification_frequency: days });
  out.webhook_notification_frequency?.push(7);
  assert.deepEqual(days, [90, 60], "the input's list is not shared with the output");
});
