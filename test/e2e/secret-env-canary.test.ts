// A user may pass the secret itself to --secret-env instead of a variable's name: whatever the command
// (create, trigger, replay), that value never reaches stdout or stderr (build first: `npx tsc -p .`).
import assert from "node:assert/strict";
import { test } from "node:test";
import { runCli } from "../helpers/cli.js";

/** Not a variable name (it holds + / =), as a base64 secret would. */
const NOT_A_NAME = "CanaryQ1w2E3r4T5y6U7i8O9p0+A/s=d";
/** A valid variable name, but as long as a secret (a generated base64url secret can look like this). */
const NAME_LIKE = "CanaryZq8xVw3LmN5pR7tY9uB2cD4eF6gH8jK";

const commands: [string, string[]][] = [
  ["create", ["create", "--url", "https://hooks.example.com/certcentral"]],
  ["trigger", ["trigger", "certificate_issued", "--to", "http://127.0.0.1:9/hook"]],
  ["replay", ["replay", "--to", "http://127.0.0.1:9/hook"]],
];

test("--secret-env <the secret itself>: exit 2 with a sentence, and the value is never printed", async () => {
  for (const [name, args] of commands) {
    for (const canary of [NOT_A_NAME, NAME_LIKE]) {
      for (const extra of [[], ["--json", "--verbose"]]) {
        const res = await runCli([...args, "--secret-env", canary, ...extra], {
          env: {
            CERTWH_API_KEY: "sandbox-key-0123456789",
            CERTWH_BASE_URL: "http://127.0.0.1:9/services/v2",
          },
        });
        const label = `${name} ${canary === NOT_A_NAME ? "not a name" : "name-like"} ${extra.join(" ")}`;
        assert.equal(res.code, 2, `${label}: ${res.stderr}`);
        assert.match(res.stderr, /secret-env/, label);
        assert.match(res.stderr, /may be the secret itself/, label);
        assert.equal(res.stdout.includes(canary), false, `${label}: stdout`);
        assert.equal(res.stderr.includes(canary), false, `${label}: stderr`);
        // Not even a recognisable part of it.
        assert.equal(`${res.stdout}${res.stderr}`.includes(canary.slice(6, 20)), false, `${label}: a part`);
      }
    }
  }
});

test("--secret-file <the secret itself>: exit 2, and the value is never printed", async () => {
  const canary = "CanaryFileZq8xVw3LmN5pR7tY9uB2cD4eF6gH8jK";
  for (const [name, args] of commands) {
    const res = await runCli([...args, "--secret-file", canary, "--json"], {
      env: { CERTWH_API_KEY: "sandbox-key-0123456789", CERTWH_BASE_URL: "http://127.0.0.1:9/services/v2" },
    });
    assert.equal(res.code, 2, `${name}: ${res.stderr}`);
    assert.match(res.stderr, /may be the secret itself/, name);
    assert.equal(`${res.stdout}${res.stderr}`.includes(canary.slice(6, 20)), false, `${name}: printed`);
  }
});
