import assert from "node:assert/strict";
import { test } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { deadline } from "../../src/util/deadline.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

test("a deadline fires after its time even when a garbage collection runs meanwhile", async () => {
  const signal = (() => deadline(50).signal)(); // only the returned signal is kept, as in a request
  const fired = new Promise<unknown>((resolve) =>
    signal.addEventListener("abort", () => resolve(signal.reason)),
  );
  gc();
  await new Promise((r) => setTimeout(r, 10));
  gc();
  const reason = await Promise.race([fired, new Promise((r) => setTimeout(() => r("never fired"), 2_000))]);
  assert.equal((reason as DOMException).name, "TimeoutError");
});

test("a parent's abort passes through with its reason, and is not counted as expiry", () => {
  const parent = new AbortController();
  const d = deadline(10_000, parent.signal);
  parent.abort(new Error("closed"));
  assert.equal(d.signal.aborted, true);
  assert.equal((d.signal.reason as Error).message, "closed");
  assert.equal(d.expired, false);
  d.clear();
});

test("clear() stops the timer: the signal never aborts", async () => {
  const d = deadline(20);
  d.clear();
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(d.signal.aborted, false);
  assert.equal(d.expired, false);
});
