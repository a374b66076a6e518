// Slow clients against `certwh listen` (issue 5): a client dribbling its headers and one dribbling its body
// are cut off within listen's limits (5 s for the head, 5 s for the body, enforced every second), while
// normal deliveries on other connections are answered 200 meanwhile.
import assert from "node:assert/strict";
import { test } from "node:test";
import { bytewise, rawSend } from "../helpers/raw-socket.js";
import { sleep } from "../helpers/wait.js";
import { eventBody, startListen } from "./listen-support.js";

const HEAD_LIMIT_MS = 5_000;
const BODY_LIMIT_MS = 5_000;
/** The check interval (1 s) plus room for a busy machine: a generous upper bound, not a timing test. */
const SLACK_MS = 3_000;

test("slow head and slow body are cut off within the limits; other deliveries still succeed", async (t) => {
  const listen = await startListen(t);
  const port = Number(listen.url.port);
  const path = listen.url.pathname;

  const slowHead = rawSend({
    port,
    chunks: bytewise(`POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: ${"a".repeat(500)}\r\n\r\n`),
    delayMs: 200,
    deadlineMs: HEAD_LIMIT_MS + SLACK_MS + 2_000,
  });
  const body = eventBody(424242);
  const bodyHead =
    `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
    `X-Webhook-Key: ${listen.secret}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`;
  const slowBody = rawSend({
    port,
    chunks: [bodyHead, ...bytewise(body)],
    delayMs: 200,
    deadlineMs: BODY_LIMIT_MS + SLACK_MS + 2_000,
  });

  const deliver = async (orderId: number) => {
    const res = await fetch(listen.url, {
      method: "POST",
      headers: { "content-type": "application/json", "x-webhook-key": listen.secret },
      body: eventBody(orderId),
      signal: AbortSignal.timeout(5_000),
    });
    await res.text();
    return res.status;
  };
  // While both slow clients hold their connections: early, and close to the limits.
  await sleep(1_000);
  assert.equal(await deliver(1), 200);
  await sleep(2_500);
  assert.equal(await deliver(2), 200);

  const [head, slow] = await Promise.all([slowHead, slowBody]);
  assert.ok(head.closedByServer, `the slow head was never cut off (${head.elapsedMs} ms)`);
  assert.ok(head.elapsedMs <= HEAD_LIMIT_MS + SLACK_MS, `slow head cut off after ${head.elapsedMs} ms`);
  assert.ok(head.status === undefined || head.status === 408, `slow head answered ${head.status}`);
  assert.ok(slow.closedByServer, `the slow body was never cut off (${slow.elapsedMs} ms)`);
  assert.ok(slow.elapsedMs <= BODY_LIMIT_MS + SLACK_MS, `slow body cut off after ${slow.elapsedMs} ms`);
  assert.equal(slow.status, 408, `slow body answered ${slow.status}: ${slow.response.slice(0, 200)}`);
  assert.ok(
    slow.bytesWritten < Buffer.byteLength(bodyHead) + Buffer.byteLength(body),
    "the slow body was sent to the end before the cut-off",
  );

  const rejected = await listen.waitFor((l) => l.type === "rejected" && l.status === 408, 2_000);
  assert.equal(rejected.reason, "body_timeout");
  const events = listen.lines.filter((l) => l.type === "event" && l.event === "certificate_issued");
  assert.deepEqual(
    events.map((l) => (l.data as { order_id: number }).order_id),
    [1, 2],
    "only the two normal deliveries were accepted",
  );
  listen.child.kill("SIGTERM");
  assert.equal((await listen.exited()).code, 143);
});
