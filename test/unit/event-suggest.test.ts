import assert from "node:assert/strict";
import { test } from "node:test";
import { SUBSCRIBABLE_EVENTS } from "../../src/events/catalogue.js";
import { didYouMean, suggestEventNames } from "../../src/events/suggest.js";

test("shortened, reordered, run-together and misspelt names find the event meant", () => {
  const rows: [string, string[]][] = [
    ["cert_issued", ["certificate_issued"]],
    ["cert_revoke", ["certificate_revoked"]],
    ["org_validated", ["organization_validated"]],
    ["issued_cert", ["certificate_issued"]],
    ["domain_reval", ["domain_revalidation_notice"]],
    ["certissued", ["certificate_issued"]],
    ["orgval", ["organization_validated"]],
    ["Certificate-Issued", ["certificate_issued"]],
    ["certificate.issued", ["certificate_issued"]],
    ["certificate_isued", ["certificate_issued"]],
    ["certificate_issue", ["certificate_issued"]],
    ["ertificate_issued", ["certificate_issued"]],
    ["domian_validated", ["domain_validated"]],
    ["challenge", ["challenge_webhook_endpoint"]],
    ["approval", ["order_approval_email_sent"]],
  ];
  for (const [typed, expected] of rows) assert.deepEqual(suggestEventNames(typed), expected, typed);
});

test("an ambiguous part offers every event it fits, at most three", () => {
  assert.deepEqual(suggestEventNames("cert"), ["certificate_issued", "certificate_revoked"]);
  assert.deepEqual(suggestEventNames("validated"), ["organization_validated", "domain_validated"]);
  assert.deepEqual(suggestEventNames("domain"), [
    "domain_validated",
    "domain_expired",
    "domain_revalidation_notice",
  ]);
  assert.equal(suggestEventNames("o").length, 0, "one letter means nothing");
});

test("names nothing like an event get no suggestion", () => {
  for (const typed of ["hello", "xyz", "", "   ", "c", "payment_received"])
    assert.deepEqual(suggestEventNames(typed), [], typed);
});

test("the candidates can be narrowed, e.g. to subscribable events", () => {
  assert.deepEqual(suggestEventNames("test", SUBSCRIBABLE_EVENTS), []);
  assert.deepEqual(suggestEventNames("test"), ["test_webhook_endpoint"]);
});

test("didYouMean words one or several suggestions", () => {
  assert.equal(didYouMean("cert_issued"), "Did you mean certificate_issued?");
  assert.equal(didYouMean("cert"), "Did you mean one of: certificate_issued, certificate_revoked?");
  assert.equal(didYouMean("hello"), undefined);
});
