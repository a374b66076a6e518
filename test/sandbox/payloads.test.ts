// Event bodies against the spec's examples (§7.3, §8.2, §11.3, §12.3) and §17 #4/#5 guesses.
import assert from "node:assert/strict";
import { test } from "node:test";
import { EVENT_TYPES } from "../../src/events/catalogue.js";
import { buildEvent, slackText } from "../../src/events/payloads.js";

test("documented shapes", () => {
  assert.deepEqual(buildEvent("certificate_issued", { orderId: 12345, certificateId: 23456 }), {
    event: "certificate_issued",
    data: { order_id: 12345, certificate_id: 23456 },
  });
  assert.deepEqual(buildEvent("test_webhook_endpoint"), { event: "test_webhook_endpoint" });
  assert.deepEqual(buildEvent("challenge_webhook_endpoint", { token: "abc", webhookId: 12345 }), {
    event: "challenge_webhook_endpoint",
    data: { token: "abc", webhook_id: 12345 },
  });
  assert.deepEqual(buildEvent("order_rejected").data, { order_id: 470091052, certificate_id: 471270113 });
  assert.deepEqual(buildEvent("certificate_revoked", { orderId: 1, certificateId: 2 }).data, {
    order_id: 1,
    certificate_id: 2,
  });
  assert.deepEqual(buildEvent("order_approval_email_sent").data, {
    order_id: 470091052,
    certificate_id: 471270113,
    orderApprovalEmailStatus: "sent",
    orderApprovalEmails: ["approver1@example.com", "approver2@example.com"],
  });
});

test("guessed shapes (spec §17 #4): organization_* → organization_id, domain_* → domain_id", () => {
  for (const t of EVENT_TYPES) {
    const body = buildEvent(t.name, { organizationId: 3, domainId: 4 });
    if (t.name.startsWith("organization_")) assert.deepEqual(body.data, { organization_id: 3 });
    if (t.name.startsWith("domain_")) assert.deepEqual(body.data, { domain_id: 4 });
    assert.equal(typeof slackText(body), "string");
  }
});
