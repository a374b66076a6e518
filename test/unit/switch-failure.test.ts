// What activate and deactivate say when CertCentral's answer is lost: the state read back when there is one,
// else that the change may have been applied (never a bare network error).
import assert from "node:assert/strict";
import { test } from "node:test";
import { ApiError, NetworkError } from "../../src/api/errors.js";
import { switchFailure } from "../../src/commands/webhook/change-failure.js";
import { describeFailure } from "../../src/io/exit-codes.js";

const running = { signal: new AbortController().signal };
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
  const failure = describeFailure(switchFailure(running, lost(), 7, "activate", { status: "inactive" }));
  assert.match(failure.hint ?? "", /^Reading it back shows webhook 7 is still inactive/);
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
