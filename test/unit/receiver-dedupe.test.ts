import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { DedupeCache } from "../../src/receiver/dedupe.js";
import { ManualClock } from "../../src/util/clock.js";

describe("DedupeCache", () => {
  test("marking mode: a repeat only of an acknowledged copy, dated by the first acknowledged copy, within the TTL", () => {
    const clock = new ManualClock();
    const cache = new DedupeCache(clock, { ttlMs: 1000 });
    const t0 = clock.now();
    assert.equal(cache.acknowledgedAt("a"), undefined, "a copy that arrives first is not a repeat");
    cache.remember("a", t0);
    clock.advance(500);
    assert.equal(cache.acknowledgedAt("a"), t0);
    cache.remember("a", clock.now());
    assert.equal(cache.acknowledgedAt("a"), t0, "the first acknowledged copy is kept");
    clock.advance(600);
    assert.equal(cache.acknowledgedAt("a"), undefined, "expired: a fresh body again");
    // A copy that was never acknowledged (refused, or still in flight) leaves nothing behind.
    assert.equal(cache.acknowledgedAt("b"), undefined);
    assert.equal(cache.acknowledgedAt("b"), undefined);
    assert.equal(cache.size, 0);
  });

  test("drop mode: a copy still in flight past the TTL keeps its claim, so copies waiting on it get its outcome", async () => {
    const clock = new ManualClock();
    const cache = new DedupeCache(clock, { ttlMs: 1000 });
    assert.equal(cache.claim("a"), undefined, "the first copy claims the body");
    const early = cache.claim("a");
    clock.advance(5000); // the first copy's handling outlasts the window
    const late = cache.claim("a");
    assert.ok(early && late, "both later copies wait for the first");
    cache.settle("a", true);
    assert.equal(await early, true);
    assert.equal(await late, true);
  });

  test("second claim of an acknowledged key is a duplicate", async () => {
    const cache = new DedupeCache(new ManualClock());
    assert.equal(cache.claim("a"), undefined);
    const waiting = cache.claim("a");
    assert.ok(waiting);
    cache.settle("a", true);
    assert.equal(await waiting, true);
    assert.equal(await cache.claim("a"), true);
  });

  test("a failed first delivery is forgotten, so a resend is processed", async () => {
    const cache = new DedupeCache(new ManualClock());
    cache.claim("a");
    const waiting = cache.claim("a");
    cache.settle("a", false);
    assert.equal(await waiting, false);
    assert.equal(cache.claim("a"), undefined);
  });

  test("entries expire after the TTL on the injected clock", () => {
    const clock = new ManualClock();
    const cache = new DedupeCache(clock, { ttlMs: 1000 });
    cache.claim("a");
    cache.settle("a", true);
    clock.advance(999);
    assert.ok(cache.claim("a"));
    clock.advance(1);
    assert.equal(cache.claim("a"), undefined);
  });

  test("bounded: the least recently used settled entry goes first", () => {
    const cache = new DedupeCache(new ManualClock(), { maxEntries: 3 });
    for (const k of ["a", "b", "c"]) {
      cache.claim(k);
      cache.settle(k, true);
    }
    assert.ok(cache.claim("a")); // touch a: b is now the oldest
    cache.claim("d");
    cache.settle("d", true);
    assert.equal(cache.size, 3);
    assert.equal(cache.claim("b"), undefined); // evicted, claimed afresh
    cache.settle("b", true);
    assert.ok(cache.claim("d"));
  });

  test("defaults hold 1000 entries", () => {
    const cache = new DedupeCache(new ManualClock());
    for (let i = 0; i < 1500; i++) {
      cache.claim(String(i));
      cache.settle(String(i), true);
    }
    assert.equal(cache.size, 1000);
    assert.equal(cache.claim("0"), undefined);
    assert.ok(cache.claim("1499"));
  });
});
