// An active webhook in a sandbox, made over its API as listen or `certwh create` would (create → challenge →
// check-challenge → activate), pointing at a loopback receiver that records what the sandbox sends.
import assert from "node:assert/strict";
import type { TestContext } from "node:test";
import { call, type Receiver, startReceiver } from "./sandbox.js";

export interface ActiveWebhook {
  rx: Receiver;
  id: number;
  /** The challenge token it was verified with (a test checks it never leaks). */
  token: string;
}

export async function activeWebhook(
  sandbox: { url: string; apiKey: string },
  t: TestContext,
  body: { secret?: string; events?: string[] } = {},
): Promise<ActiveWebhook> {
  const rx = await startReceiver(t);
  const created = await call(sandbox, "POST", "/webhook", { endpoint: rx.url, ...body });
  assert.equal(created.status, 201, created.text);
  const id = (created.json as { webhook_id: number }).webhook_id;
  const before = rx.received.length;
  await call(sandbox, "PUT", `/webhook/${id}/send-challenge`);
  const challenge = (await rx.waitFor(before + 1, 5000)).at(-1);
  const token = (challenge?.json as { data?: { token?: string } } | undefined)?.data?.token;
  assert.ok(token, "the challenge carried a token");
  const checked = await call(sandbox, "PUT", `/webhook/${id}/check-challenge`, { token });
  assert.equal(checked.status, 204, checked.text);
  const activated = await call(sandbox, "PUT", `/webhook/${id}/activate`);
  assert.equal(activated.status, 204, activated.text);
  return { rx, id, token };
}
