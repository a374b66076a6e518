import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { DeadlineQueue } from "../../src/receiver/deadlines.js";

describe("DeadlineQueue", () => {
  test("expires each deadline once, in order, after its length", async () => {
    const queue = new DeadlineQueue(40);
    const expired: string[] = [];
    const started = performance.now();
    queue.add(() => expired.push("a"));
    await sleep(15);
    queue.add(() => expired.push("b"));
    await sleep(35);
    assert.deepEqual(expired, ["a"]);
    await sleep(30);
    assert.deepEqual(expired, ["a", "b"]);
    assert.ok(performance.now() - started >= 55);
  });

  test("a cancelled deadline never fires; the others still do", async () => {
    const queue = new DeadlineQueue(20);
    const expired: string[] = [];
    const a = queue.add(() => expired.push("a"));
    queue.add(() => expired.push("b"));
    queue.cancel(a);
    await sleep(60);
    assert.deepEqual(expired, ["b"]);
  });

  test("works again after it went idle", async () => {
    const queue = new DeadlineQueue(10);
    const expired: string[] = [];
    queue.cancel(queue.add(() => expired.push("a")));
    await sleep(30);
    queue.add(() => expired.push("b"));
    await sleep(40);
    assert.deepEqual(expired, ["b"]);
  });
});
