// listen's line for the receiver's connection limit: what the senders saw, in words, at warn level when
// connections were refused.
import assert from "node:assert/strict";
import { test } from "node:test";
import { eventLine } from "../../src/io/render-listen.js";

const at = "2026-01-02T14:02:11.000Z";
const base = { type: "connection_limit", at, open: 1024, max_connections: 1024 } as const;

test("refused connections: a warning naming the 503s and Retry-After", () => {
  const line = eventLine({ ...base, shed: 37, evicted: 12 }, 0);
  assert.ok(line && "level" in line);
  assert.equal(line.level, "warn");
  assert.match(
    line.text,
    /connection limit \(1024\) reached: 37 connections refused with 503 \(Retry-After: 1/,
  );
  assert.match(line.text, /12 idle or slow connections closed to make room; 1024 open$/);
});

test("only idle or slow connections closed: information, no 503 mentioned", () => {
  const line = eventLine({ ...base, shed: 0, evicted: 1 }, 0);
  assert.ok(line && "level" in line);
  assert.equal(line.level, "info");
  assert.match(line.text, /reached: 1 idle or slow connection closed to make room; 1024 open$/);
  assert.doesNotMatch(line.text, /503/);
});
