// Canary (reliability checklist item 19): failure paths run with a random API key and webhook secret,
// with --verbose; neither value may appear on stdout or stderr.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { type CliResult, tempDir } from "../helpers/cli.js";
import { expectExit, harness } from "./lifecycle-support.js";

test("neither the API key nor the webhook secret appears in any output", async (t) => {
  const apiKey = `canaryKEY${randomBytes(16).toString("hex")}`;
  const secret = `canarySECRET${randomBytes(16).toString("hex")}`;
  const wrongKey = `canaryWRONG${randomBytes(16).toString("hex")}`;
  const h = await harness(t, { apiKey, probe: { create: false } });
  const secretFile = join(tempDir(), "secret");
  writeFileSync(secretFile, `${secret}\n`);
  const outputs: [string, CliResult][] = [];
  const run = async (args: string[], code: number, env?: Record<string, string>) => {
    const res = await h.cli([...args, "--verbose"], { env });
    expectExit(res, code);
    outputs.push([args.join(" "), res]);
    return res;
  };

  // Wrong key → exit 4, with and without --json.
  await run(["status"], 4, { CERTWH_API_KEY: wrongKey });
  await run(["create", "--url", h.receiver.url, "--secret-file", secretFile, "--json"], 4, {
    CERTWH_API_KEY: wrongKey,
  });
  // Endpoint error while testing (the webhook gets created with the secret, then the test fails).
  h.receiver.script.push(500);
  await run(["create", "--url", h.receiver.url, "--secret-file", secretFile], 3);
  // Secret read back from CertCentral, then a failing test event to a candidate URL.
  h.receiver.script.push(502);
  await run(["test", "--url", h.receiver.url, "--json"], 3);
  await run(["status"], 0);
  await run(["status", "--json"], 0);
  await run(["verify", "--token", "wrong-token"], 3);
  await run(["create", "--url", h.receiver.url, "--secret-env", "WH"], 3, { WH: secret });
  // A bad secret value: the message must not echo it.
  await run(["update-url", "--url", h.receiver.url, "--secret-env", "WH"], 2, { WH: `${secret} tail` });
  h.sandbox.inject("PUT /webhook/:id/send-challenge", { status: 500 });
  await run(["update-url", "--url", h.receiver.url, "--secret-file", secretFile], 3);

  assert.ok(
    outputs.some(([, r]) => r.stderr.includes("[debug]")),
    "--verbose traces were produced",
  );
  for (const [label, res] of outputs) {
    for (const canary of [apiKey, wrongKey, secret]) {
      assert.ok(!res.stdout.includes(canary), `stdout of "${label}" leaks a canary`);
      assert.ok(!res.stderr.includes(canary), `stderr of "${label}" leaks a canary`);
    }
  }
});
