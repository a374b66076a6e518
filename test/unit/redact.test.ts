import assert from "node:assert/strict";
import { afterEach, test } from "node:test";
import {
  clearSecrets,
  mask,
  maskUrlPassword,
  redact,
  redactHeaders,
  registerSecret,
  registerUrlPassword,
} from "../../src/util/redact.js";

afterEach(() => clearSecrets());

test("a registered secret is masked wherever it appears", () => {
  const secret = "Zq8xVw3LmN5pR7tY9uB2cD4eF6gH8jKa";
  registerSecret(secret);
  assert.equal(redact(`key=${secret}; again ${secret}`), `key=${mask(secret)}; again ${mask(secret)}`);
});

test("a URL password of any length is masked where it stands in a URL, and only there", () => {
  registerUrlPassword(new URL("http://user:p%40ss@app.example/hook"));
  assert.equal(redact("→ http://user:p%40ss@app.example/hook"), "→ http://user:****@app.example/hook");
  assert.equal(redact("said user:p@ss@x"), "said user:****@x", "the decoded form too");
  assert.equal(redact("p%40ss elsewhere is a short word"), "p%40ss elsewhere is a short word");
  registerUrlPassword(new URL("http://app.example/no-password"));
  assert.equal(redact("http://app.example/no-password"), "http://app.example/no-password");
});

test("the JSON-escaped form of a secret with quotes or backslashes is masked too", () => {
  const secret = 'Qx8vS8xC4fyp"x\\y/z+=0123456789ab';
  registerSecret(secret);
  const json = JSON.stringify({ message: `Secret ${secret} rejected` });
  assert.ok(json.includes(JSON.stringify(secret).slice(1, -1)), "the escaped form is what JSON holds");
  assert.ok(!redact(json).includes('fyp\\"x'), redact(json));
});

test("secret headers are dropped from traces whatever their value", () => {
  assert.deepEqual(redactHeaders({ "X-DC-DEVKEY": "k", "x-webhook-key": "s", accept: "application/json" }), {
    "X-DC-DEVKEY": "[redacted]",
    "x-webhook-key": "[redacted]",
    accept: "application/json",
  });
});

test("masks show at most 4 + 4 characters, and nothing of short values", () => {
  assert.equal(mask("0123456789abcdefghij"), "0123…ghij");
  assert.equal(mask("short-value"), "****");
});

test("a password in text that does not parse as a URL is masked up to the last @ before the path", () => {
  assert.equal(maskUrlPassword("http://bob:sekrit@127.0.0.1:1x/x"), "http://bob:****@127.0.0.1:1x/x");
  assert.equal(maskUrlPassword("http://bob:sekrit@[::1"), "http://bob:****@[::1");
  assert.equal(maskUrlPassword("https://bob:a@b@host/x"), "https://bob:****@host/x");
  // No password: a port or an @ in the path or query is left alone.
  assert.equal(maskUrlPassword("http://host:1x/a@b"), "http://host:1x/a@b");
  assert.equal(maskUrlPassword("https://x.example/?a=b:c@d"), "https://x.example/?a=b:c@d");
});
