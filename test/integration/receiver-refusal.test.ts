// onAccept may refuse a delivery for now (listen without a journal whose queues are full): the answer is that
// status (503, with Retry-After), nothing is acknowledged, and a resend is treated as a first copy.
import assert from "node:assert/strict";
import { test } from "node:test";
import { createReceiver } from "../../src/receiver/handler.js";
import type { AcceptRefusal, ReceiverOutcome } from "../../src/receiver/outcomes.js";

const SECRET = "refusal-secret-0123456789abcdefghijkl";
const PATH = "/hook/refusal";
const BODY = JSON.stringify({ event: "certificate_issued", data: { order_id: 7, certificate_id: 8 } });

test("an AcceptRefusal from onAccept answers 503 with Retry-After; the resend is accepted as a first copy", async (t) => {
  let refuse: AcceptRefusal | undefined = {
    status: 503,
    detail: "forward_queue_full",
    retryAfterSeconds: 60,
  };
  const receiver = createReceiver({ secret: SECRET, path: PATH, onAccept: () => refuse });
  const outcomes: ReceiverOutcome[] = [];
  receiver.on("outcome", (o) => outcomes.push(o));
  const srv = await receiver.listen();
  t.after(() => srv.close());
  const post = () =>
    fetch(new URL(PATH, srv.origin), {
      method: "POST",
      headers: { "content-type": "application/json", "x-webhook-key": SECRET },
      body: BODY,
      signal: AbortSignal.timeout(5000),
    });

  const first = await post();
  assert.equal(first.status, 503);
  assert.equal(first.headers.get("retry-after"), "60");
  assert.equal(await first.text(), "service unavailable\n");
  const rejected = outcomes.filter((o) => o.type === "rejected");
  assert.equal(rejected.length, 1);
  assert.deepEqual(
    rejected.map((o) => o.type === "rejected" && [o.status, o.reason, o.detail]),
    [[503, "unavailable", "forward_queue_full"]],
  );
  assert.equal(receiver.stats.accepted, 0);

  refuse = undefined;
  const second = await post();
  assert.equal(second.status, 200);
  const accepted = outcomes.filter((o) => o.type === "accepted");
  assert.equal(accepted.length, 1);
  assert.equal(accepted[0]?.type === "accepted" && accepted[0].delivery.repeatOf, undefined, "not a repeat");
});

test("a copy is a repeat only of a copy that was acknowledged: not of an earlier copy that failed while it was in flight", async (t) => {
  let calls = 0;
  let failFirst!: () => void;
  const firstFails = new Promise<void>((resolve) => {
    failFirst = resolve;
  });
  const receiver = createReceiver({
    secret: SECRET,
    path: PATH,
    onAccept: async () => {
      calls++;
      if (calls === 1) {
        await firstFails;
        throw new Error("disk full");
      }
    },
  });
  const outcomes: ReceiverOutcome[] = [];
  receiver.on("outcome", (o) => outcomes.push(o));
  const srv = await receiver.listen();
  t.after(() => srv.close());
  const post = () =>
    fetch(srv.url, {
      method: "POST",
      headers: { "content-type": "application/json", "x-webhook-key": SECRET },
      body: BODY,
      signal: AbortSignal.timeout(5000),
    }).then((r) => r.status);

  const a1 = post(); // held in onAccept, then fails
  for (let i = 0; i < 200 && calls < 1; i++) await new Promise((r) => setTimeout(r, 5));
  const a2 = await post(); // arrives while A1 is in flight; the first copy ever acknowledged
  failFirst();
  assert.deepEqual([await a1, a2], [500, 200]);
  assert.equal(await post(), 200); // A3: a real repeat of A2

  const seen = outcomes.map((o) => {
    if (o.type === "accepted") return `accepted${o.delivery.repeatOf ? "(repeat)" : ""}`;
    return o.type === "rejected" ? `rejected:${o.status}` : o.type;
  });
  assert.deepEqual(seen, ["accepted", "rejected:500", "accepted(repeat)"]);
  const [second, third] = outcomes.filter((o) => o.type === "accepted");
  assert.ok(second?.type === "accepted" && third?.type === "accepted");
  assert.equal(third.delivery.repeatOf?.firstReceivedAt, second.delivery.receivedAt);
  assert.equal(receiver.stats.repeats, 1);
});
