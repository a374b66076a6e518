// listen's exit lines count things in words: "1 event" but "2 events", "It is" but "They are".
import assert from "node:assert/strict";
import { test } from "node:test";
import { eventLine } from "../../src/io/render-listen.js";

const text = (line: ReturnType<typeof eventLine>): string => (line && "text" in line ? line.text : "");

test("forward summary: one event, several events", () => {
  const target = { url: "http://127.0.0.1:9/hook", delivered: 1, failed: 0, unfinished: 0 };
  const one = eventLine({ type: "forward_summary", targets: [{ ...target, events: 1 }] }, 0);
  assert.equal(text(one), "Forwarded: http://127.0.0.1:9/hook  1 delivered, 0 failed of 1 event");
  const two = eventLine({ type: "forward_summary", targets: [{ ...target, delivered: 2, events: 2 }] }, 0);
  assert.equal(text(two), "Forwarded: http://127.0.0.1:9/hook  2 delivered, 0 failed of 2 events");
});

test("unfinished work: singular and plural, with and without a journal", () => {
  const one = eventLine(
    {
      type: "unfinished",
      journal: "journal.ndjson",
      exec: { count: 1, ids: ["a"], command: "certwh replay --exec x" },
      forward: [{ count: 1, ids: ["b"], url: "http://127.0.0.1:9/a", command: "certwh replay --to a" }],
    },
    0,
  );
  assert.equal(
    text(one),
    "1 --exec run did not finish. It is in the journal; catch up with:\n  certwh replay --exec x\n" +
      "1 forward to http://127.0.0.1:9/a did not finish. It is in the journal; catch up with:\n  certwh replay --to a",
  );
  const two = eventLine(
    {
      type: "unfinished",
      journal: "journal.ndjson",
      exec: { count: 2, ids: ["a", "b"] },
      forward: [{ count: 3, ids: ["c", "d", "e"], url: "http://127.0.0.1:9/a" }],
    },
    0,
  );
  assert.equal(
    text(two),
    "2 --exec runs did not finish, and there is no journal (--no-journal) to run them from.\n" +
      "3 forwards to http://127.0.0.1:9/a did not finish, and there is no journal (--no-journal) to run them from.",
  );
});

test("connection limit: one connection, one idle connection", () => {
  const line = eventLine(
    {
      type: "connection_limit",
      at: "2026-01-02T14:02:11.000Z",
      open: 2,
      max_connections: 2,
      shed: 1,
      evicted: 1,
    },
    0,
  );
  assert.match(
    text(line),
    /: 1 connection refused with 503 .*, 1 idle or slow connection closed to make room; 2 open$/,
  );
});
