// The receiver's secret rule: what a header cannot carry or that could never match is refused at
// construction; a secret with spaces or tabs inside (CertCentral asks only for 32+ characters) is accepted
// and matches a delivery over HTTP on 127.0.0.1.
import assert from "node:assert/strict";
import { test } from "node:test";
import { UsageError } from "../../src/errors.js";
import { createReceiver } from "../../src/receiver/handler.js";
import { validateSecret } from "../../src/util/secret.js";

const BODY = '{"event":"certificate_issued","data":{"order_id":1,"certificate_id":2}}';

for (const secret of ["correct horse battery staple 0123456789", "abcdefghijklmnop\tqrstuvwxyz0123456789"]) {
  test(`a secret with inner whitespace is accepted and matches (${JSON.stringify(secret.slice(0, 12))}…)`, async (t) => {
    const receiver = createReceiver({ secret });
    const server = await receiver.listen({ port: 0 });
    t.after(() => server.close());
    const send = (key: string) =>
      fetch(server.url, { method: "POST", headers: { "x-webhook-key": key }, body: BODY }).then(
        (r) => r.status,
      );
    assert.equal(await send(secret), 200);
    assert.equal(await send(secret.replace(/\s/, "_")), 401);
    // certwh's own rule for secrets it sets stays stricter.
    assert.match(validateSecret(secret) ?? "", /whitespace/);
  });
}

test("secrets no header carries unchanged are refused at construction, without the value", () => {
  const base = "0123456789abcdefghijklmnopqrstuvwxyz";
  for (const [secret, problem] of [
    [`${base}\n`, /control characters/],
    [`${base}\u0000x`, /control characters/],
    [`${base}é`, /other than ASCII/],
    [` ${base}`, /leading or trailing whitespace/],
    [`${base}\t`, /leading or trailing whitespace/],
    ["", /empty/],
  ] as const) {
    assert.throws(
      () => createReceiver({ secret }),
      (e: unknown) =>
        e instanceof UsageError &&
        problem.test(e.message) &&
        !e.message.includes(base) &&
        /spaces or tabs only inside/.test(e.hint ?? ""),
      JSON.stringify(secret),
    );
  }
});

test('previousSecret: "" means no previous secret, as a function returning "" does', () => {
  const secret = "0123456789abcdefghijklmnopqrstuvwxyz";
  assert.doesNotThrow(() => createReceiver({ secret, previousSecret: "" }));
  assert.doesNotThrow(() => createReceiver({ secret, previousSecret: () => "" }));
  assert.throws(() => createReceiver({ secret, previousSecret: " x" }), UsageError);
});
