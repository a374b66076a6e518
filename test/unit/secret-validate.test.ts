import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { UsageError } from "../../src/errors.js";
import { redact } from "../../src/util/redact.js";
import {
  checkSecretEnvName,
  generateSecret,
  readSecretFromEnv,
  readSecretFromFile,
  validateSecret,
} from "../../src/util/secret.js";

const dir = mkdtempSync(join(tmpdir(), "certwh-secret-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const GOOD = "Abcdefghijklmnopqrstuvwxyz012345"; // exactly 32

test("validateSecret: a table of secrets", () => {
  const table: Array<[string, RegExp | null]> = [
    [GOOD, null],
    [`${GOOD}-_~.+/=`, null],
    ["é".repeat(32), /printable ASCII/],
    [`${GOOD}€`, /printable ASCII/],
    [`${GOOD}\u{1f511}`, /printable ASCII/],
    ["", /empty/],
    [GOOD.slice(1), /at least 32/],
    [`${GOOD} x`, /whitespace/],
    [`${GOOD}\t`, /whitespace/],
    [`${GOOD}\n`, /whitespace/],
    [`${GOOD}\u00a0`, /whitespace/],
    [`${GOOD}\u0000`, /control/],
    [`${GOOD}\u007f`, /control/],
    [`${GOOD}\u001b[0m`, /control/],
  ];
  for (const [value, expected] of table) {
    const problem = validateSecret(value);
    if (expected === null) assert.equal(problem, null, JSON.stringify(value));
    else {
      assert.match(problem ?? "", expected, JSON.stringify(value));
      assert.equal((problem ?? "").includes(GOOD), false, "the sentence never holds the value");
    }
  }
});

test("readSecretFromFile strips one trailing newline and validates the rest", async () => {
  const file = join(dir, "secret");
  writeFileSync(file, `${GOOD}\r\n`);
  assert.equal(await readSecretFromFile(file), GOOD);
  writeFileSync(file, `${GOOD}\n\n`);
  await assert.rejects(readSecretFromFile(file), UsageError);
  writeFileSync(file, "tiny-value\n");
  await assert.rejects(
    readSecretFromFile(file),
    (err: Error) =>
      err instanceof UsageError && /secret/.test(err.message) && !err.message.includes("tiny-value"),
  );
  await assert.rejects(
    readSecretFromFile(join(dir, "missing")),
    (err: Error) => err instanceof UsageError && err.message.includes("missing"),
  );
});

test("readSecretFromEnv: names a variable name, but never the value, nor a name that may be the secret", () => {
  assert.equal(readSecretFromEnv("MY_SIGNING_KEY", { MY_SIGNING_KEY: GOOD }), GOOD);
  const secretItself = "Zq8xVw3LmN5pR7tY9uB2cD4eF6gH8jK0aS1";
  const table: [string, NodeJS.ProcessEnv, RegExp][] = [
    [
      "MY_SIGNING_KEY",
      {},
      /^The environment variable MY_SIGNING_KEY named by --secret-env is not set or empty\.$/,
    ],
    [
      "MY_SIGNING_KEY",
      { MY_SIGNING_KEY: "" },
      /variable MY_SIGNING_KEY named by --secret-env is not set or empty/,
    ],
    ["MY_SIGNING_KEY", { MY_SIGNING_KEY: "tooshortvalue" }, /too short.*variable MY_SIGNING_KEY named by/],
    ["MY_SIGNING_KEY", { MY_SIGNING_KEY: `${GOOD} ` }, /whitespace.*variable MY_SIGNING_KEY named by/],
    [secretItself, {}, /may be the secret itself/],
    [`${secretItself}+/=`, {}, /not a variable name .*may be the secret itself/],
    ["", {}, /needs the name of an environment variable/],
  ];
  for (const [name, env, expected] of table) {
    assert.throws(
      () => readSecretFromEnv(name, env),
      (err: Error) =>
        err instanceof UsageError &&
        expected.test(err.message) &&
        // A variable name is shown; what may be the secret itself is not.
        (name === "" || name === "MY_SIGNING_KEY" || !`${err.message} ${err.hint}`.includes(name)) &&
        !err.message.includes("tooshortvalue") &&
        !err.message.includes(GOOD),
      name,
    );
  }
  assert.equal(
    redact(`x ${secretItself} y`).includes(secretItself),
    false,
    "a name that looks like a secret is masked",
  );
});

test("readSecretFromEnv: a variable named like an Object.prototype member is an ordinary unset variable", () => {
  for (const name of ["constructor", "toString", "valueOf", "hasOwnProperty", "__proto__"]) {
    for (const env of [{}, { ...process.env }, process.env]) {
      if (Object.hasOwn(env, name)) continue;
      assert.throws(() => readSecretFromEnv(name, env), /not set or empty/, name);
    }
    assert.equal(readSecretFromEnv(name, { [name]: GOOD }), GOOD, name);
  }
});

test("checkSecretEnvName: a variable name passes; anything else is refused without being shown", () => {
  assert.equal(checkSecretEnvName("CERTCENTRAL_WEBHOOK_SECRET"), "CERTCENTRAL_WEBHOOK_SECRET");
  assert.equal(checkSecretEnvName("_x1"), "_x1");
  for (const bad of ["1ABC", "abc def ghi", "a-b", "s3cr3t/with+slash=="]) {
    assert.throws(
      () => checkSecretEnvName(bad),
      (err: Error) => err instanceof UsageError && !`${err.message} ${err.hint}`.includes(bad),
      bad,
    );
  }
});

test("generateSecret: 43 base64url characters, valid, distinct, and registered for redaction", () => {
  const a = generateSecret();
  const b = generateSecret();
  assert.match(a, /^[A-Za-z0-9_-]{43}$/);
  assert.notEqual(a, b);
  assert.equal(validateSecret(a), null);
  assert.equal(redact(`key=${a}`).includes(a), false);
});

test("a refused secret: where it was read is inside the sentence; the hint fits the command", async () => {
  const file = join(dir, "short.secret");
  writeFileSync(file, "short\n");
  const refusal = async (hint?: { generateWith?: string; sendsWebhookSecret?: boolean }) => {
    try {
      await readSecretFromFile(file, undefined, hint);
    } catch (e) {
      assert.ok(e instanceof UsageError);
      return e;
    }
    assert.fail("a short secret is refused");
  };
  const create = await refusal();
  assert.equal(
    create.message,
    `The webhook secret is too short: CertCentral requires at least 32 characters (read from the file ${file}).`,
  );
  assert.match(String(create.hint), /certwh create --generate-secret/);
  const updateUrl = await refusal({ generateWith: "certwh update-url --url X --generate-secret" });
  assert.match(String(updateUrl.hint), /certwh update-url --url X --generate-secret/);
  // trigger, replay and inspect send the webhook's secret: a newly generated one is not what the receiver wants.
  const sender = await refusal({ sendsWebhookSecret: true });
  assert.doesNotMatch(String(sender.hint), /--generate-secret/);
  assert.match(String(sender.hint), /certwh status --show-secret/);
  assert.throws(
    () => readSecretFromEnv("WH", { WH: "short" }, { sendsWebhookSecret: true }),
    (e) =>
      e instanceof UsageError &&
      e.message.endsWith("characters (read from the environment variable WH named by --secret-env).") &&
      /status --show-secret/.test(String(e.hint)),
  );
});
