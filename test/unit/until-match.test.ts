import assert from "node:assert/strict";
import { test } from "node:test";
import { UsageError } from "../../src/errors.js";
import { createUntil } from "../../src/listen/until.js";
import { parseDuration } from "../../src/util/duration.js";

test("parseDuration: units and junk", () => {
  const table: Array<[string, number]> = [
    ["500ms", 500],
    ["90s", 90_000],
    ["30m", 1_800_000],
    ["1h", 3_600_000],
    ["1.5h", 5_400_000],
    [" 2m ", 120_000],
  ];
  for (const [text, ms] of table) assert.equal(parseDuration(text, "--timeout"), ms, text);
  for (const junk of ["", "30", "m", "-5s", "5 minutes", "1d", "1h30m", "NaNs", "Infinitys"]) {
    assert.throws(
      () => parseDuration(junk, "--timeout"),
      { name: "UsageError", message: /^--timeout: invalid duration/ },
      junk,
    );
  }
  // Zero is one mistake, with one text, whatever its unit.
  for (const zero of ["0", "0s", "0.0ms", " 0m "]) {
    assert.throws(
      () => parseDuration(zero, "--timeout"),
      {
        name: "UsageError",
        message: `--timeout must be more than zero, not ${JSON.stringify(zero.trim())}: use a number with ms, s, m or h, e.g. 90s or 30m.`,
      },
      zero,
    );
  }
});

test("createUntil: event name, and order id when given", () => {
  const any = createUntil({ event: "certificate_issued" });
  assert.equal(any({ event: "certificate_issued", data: { order_id: 1 } }), true);
  assert.equal(any({ event: "certificate_revoked", data: { order_id: 1 } }), false);
  assert.equal(any(null), false);

  const order = createUntil({ event: "certificate_issued", orderId: 470091052 });
  assert.equal(order({ event: "certificate_issued", data: { order_id: 470091052 } }), true);
  assert.equal(order({ event: "certificate_issued", data: { order_id: "470091052" } }), true);
  assert.equal(order({ event: "certificate_issued", data: { order_id: 470091053 } }), false);
  assert.equal(order({ event: "certificate_issued" }), false);
  assert.equal(order({ event: "certificate_revoked", data: { order_id: 470091052 } }), false);

  assert.throws(() => createUntil({ event: "" }), UsageError);
  assert.throws(() => createUntil({ event: "x", orderId: -3 }), UsageError);
});

test("parseDuration: a wait longer than a Node timer holds is refused, not turned into an immediate timeout", () => {
  assert.equal(parseDuration("576h", "--timeout"), 576 * 3_600_000);
  for (const text of ["577h", "2147484s", "999999999s"])
    assert.throws(
      () => parseDuration(text, "--timeout"),
      {
        name: "UsageError",
        message: /^--timeout: \S+ is longer than certwh waits; use at most 576h \(24 days\)\.$/,
      },
      text,
    );
});
