// What activate and deactivate say when CertCentral's answer is lost: the state read back when there is one,
// else that the change may have been applied (never a bare network error).
import assert from "node:assert/strict";
import { test } from "node:test";
import { ApiError, NetworkError } from "../../src/api/errors.js";
import { switchFailure } from "../../src/commands/webhook/change-failure.js";
import { CertwhError } from "../../src/errors.js";
import { describeFailure } from "../../src/io/exit-codes.js";

const printed: unknown[] = [];
const running = { signal: new AbortController().signal, io: { json: false, writeJson: () => undefined } };
const runningJson = {
  signal: new AbortController().signal,
  io: { json: true, writeJson: (value: unknown) => printed.push(value) },
};
const inactive = { id: 7, endpoint: "https://hooks.example.com/x", status: "inactive" } as const;
const lost = () => new NetworkError("socket hang up", "127.0.0.1:1", "ECONNRESET");

test("no answer and no read-back: the change may have been applied, status shows it, the command is safe again", () => {
  const failure = describeFailure(switchFailure(running, lost(), 7, "deactivate"));
  assert.equal(failure.exitCode, 3);
  assert.match(
    failure.hint ?? "",
    /^CertCentral may have deactivated webhook 7 anyway: `certwh status` shows it; `certwh deactivate` is safe to run again\./,
  );
});

test("no answer, read back in another state: that state", () => {
  const failure = describeFailure(switchFailure(running, lost(), 7, "activate", inactive));
  assert.match(failure.hint ?? "", /^Reading it back shows webhook 7 is still inactive/);
});

test("--json, read back in another state: the webhook as read back beside the error, printed once", () => {
  const err = switchFailure(runningJson, lost(), 7, "activate", inactive);
  assert.ok(err instanceof CertwhError && err.reported, "main prints no second document");
  assert.equal(printed.length, 1);
  const failure = describeFailure(err);
  assert.deepEqual(printed[0], {
    error: { exit_code: failure.exitCode, code: failure.code, message: failure.message },
    ...inactive,
  });
});

test("a definite refusal is left as it is (nothing was applied)", () => {
  const refused = new ApiError({
    status: 400,
    code: "webhook_invalid_action",
    message: "no",
    method: "PUT",
    path: "/webhook/7/activate",
  });
  assert.equal(switchFailure(running, refused, 7, "activate"), refused);
});
