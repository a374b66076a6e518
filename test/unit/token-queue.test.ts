// listen's token queue: a token offered while next() waits goes to that waiter, and a timer that fires late
// for an earlier next() does not unhook the newer one.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Clock } from "../../src/util/clock.js";
import { createTokenQueue } from "../../src/verification/captured-tokens.js";

/** A clock whose sleeps end only when the test says so. */
function heldClock(): Clock & { endSleep(i: number): void } {
  const ends: Array<() => void> = [];
  return {
    now: () => 0,
    sleep: (_ms, signal) =>
      new Promise<void>((resolve, reject) => {
        ends.push(resolve);
        signal?.addEventListener("abort", () => reject(new Error("aborted")), { once: true });
      }),
    endSleep: (i) => ends[i]?.(),
  };
}

const settled = <T>(p: Promise<T>) =>
  Promise.race([p, new Promise<"pending">((r) => setImmediate(() => r("pending")))]);

test("a deadline timer that fires as a token arrives does not unhook the next waiter", async () => {
  const clock = heldClock();
  const queue = createTokenQueue(clock);
  const signal = new AbortController().signal;
  queue.open(7);
  const first = queue.next(1000, signal);
  clock.endSleep(0); // the first wait's deadline passes: its "" is on the way…
  assert.equal(queue.offer("token-one", 7), "queued"); // …but a token gets there first
  const second = queue.next(1000, signal);
  assert.equal(await first, "token-one");
  await settled(second); // let the late timer of the first wait run
  assert.equal(queue.offer("token-two", 7), "queued");
  assert.equal(await settled(second), "token-two", "the second waiter still gets the next token");
});

test("tokens for another webhook, or offered before open(), are refused with a reason", () => {
  const queue = createTokenQueue(heldClock());
  assert.equal(queue.offer("t", 7), "unexpected");
  queue.open(7);
  assert.equal(queue.offer("t", 8), "webhook_mismatch");
  assert.equal(queue.offer("t", 7), "queued");
  assert.equal(queue.offer("t", 7), "token_seen");
});
