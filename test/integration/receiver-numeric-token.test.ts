// A numeric data.token is submitted as its decimal string exactly as sent, over HTTP on 127.0.0.1, also
// beyond 2^53 where JSON.parse loses digits; a number whose digits cannot be recovered is never submitted.
import assert from "node:assert/strict";
import { test } from "node:test";
import { createReceiver } from "../../src/receiver/handler.js";
import type { ChallengeResult } from "../../src/verification/completer.js";

const SECRET = "numeric-token-secret-0123456789abcdefgh";

test("numeric tokens beyond 2^53 are submitted as the digits sent", async (t) => {
  const submitted: string[] = [];
  const results: ChallengeResult[] = [];
  const receiver = createReceiver({
    secret: SECRET,
    challenge: {
      api: {
        checkChallenge: async (_id, token) => {
          submitted.push(token);
        },
        activate: async () => {},
      },
      webhookId: 7,
    },
  });
  receiver.on("challenge_result", ({ result }) => results.push(result));
  const server = await receiver.listen({ port: 0 });
  t.after(() => server.close());
  const post = async (token: string) => {
    const body = `{"event":"challenge_webhook_endpoint","data":{"token":${token},"webhook_id":7}}`;
    const res = await fetch(server.url, { method: "POST", headers: { "x-webhook-key": SECRET }, body });
    assert.equal(res.status, 200);
    await receiver.challenge?.whenIdle();
  };
  await post("12345678901234567890");
  await post("9007199254740993");
  await post("123");
  await post("1.2e30"); // no decimal string to take: ignored, not guessed
  assert.deepEqual(submitted, ["12345678901234567890", "9007199254740993", "123"]);
  assert.deepEqual(results.at(-1), { type: "ignored", reason: "no_token" });
});
