// checkApiKey's length rule: the message states exactly the range it accepts, and the README the same one.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { API_KEY_LENGTH, checkApiKey } from "../../src/config/settings.js";
import { UsageError } from "../../src/errors.js";

const key = (n: number) => "a".repeat(n);

test("an API key of 8 to 512 characters is accepted; one outside is refused with that exact range", () => {
  const { min, max } = API_KEY_LENGTH;
  assert.equal(checkApiKey(key(min), "--api-key"), key(min));
  assert.equal(checkApiKey(key(max), "--api-key"), key(max));
  for (const n of [min - 1, max + 1, 5])
    assert.throws(
      () => checkApiKey(key(n), "--api-key"),
      (e) =>
        e instanceof UsageError &&
        e.message === `--api-key has ${n} characters; an API key has ${min} to ${max}.`,
      String(n),
    );
});

test("the README states the range checkApiKey accepts", () => {
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  assert.ok(
    readme.includes(`${API_KEY_LENGTH.min} to ${API_KEY_LENGTH.max} printable ASCII characters`),
    "README: the API key's length",
  );
});
