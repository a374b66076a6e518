// Crash safety (issue 5): kill -9 `certwh listen` while 50 connections are posting events. Every event that
// was answered 200 is in the journal afterwards, every complete line is a valid entry (at most the line being
// written at the moment of the kill is torn), and the journal can be opened and appended to again.
import assert from "node:assert/strict";
import { test } from "node:test";
import { journalEntry, openJournal } from "../../src/listen/journal.js";
import { readJournal } from "../helpers/journal.js";
import { orderIdOf, postEvents, startListen } from "./listen-support.js";

test("kill -9 mid-stream: every event answered 200 is journaled; the journal stays valid JSON lines", async (t) => {
  const listen = await startListen(t);
  const stop = new AbortController();
  const posting = postEvents(listen.url, listen.secret, {
    count: 50_000,
    concurrency: 50,
    firstOrderId: 1,
    timeoutMs: 60_000,
    stop: stop.signal,
  });
  // Kill once a good number of events went through, so the kill lands mid-stream.
  await listen.waitFor(
    (l) => l.type === "event" && (l.data as { order_id?: number })?.order_id === 2000,
    30_000,
  );
  listen.child.kill("SIGKILL");
  const exit = await listen.exited();
  stop.abort();
  const load = await posting;
  assert.equal(exit.signal, "SIGKILL");
  assert.ok(load.ok.length >= 2000, `only ${load.ok.length} events were answered 200 before the kill`);
  assert.ok(load.failed.length > 0, "the kill did not land mid-stream");

  const contents = await readJournal(listen.journal);
  // Only the line being written when the process died may be incomplete, and only at the very end.
  assert.ok(
    contents.skipped.length <= 1,
    `unreadable lines: ${JSON.stringify(contents.skipped.slice(0, 5))}`,
  );
  if (contents.skipped.length === 1)
    assert.equal(contents.tornTail, true, "an unreadable line before the end");
  const journaled = new Map<number, number>();
  for (const entry of contents.entries) {
    const orderId = orderIdOf(entry.body);
    if (orderId !== undefined) journaled.set(orderId, (journaled.get(orderId) ?? 0) + 1);
  }
  const lost = load.ok.filter((orderId) => !journaled.has(orderId));
  assert.deepEqual(lost.slice(0, 20), [], `${lost.length} events answered 200 are missing from the journal`);
  assert.ok(
    [...journaled.values()].every((n) => n === 1),
    "an event journaled twice",
  );

  // The next listen run reopens the journal: a torn tail is closed off and new entries are readable.
  const journal = await openJournal(listen.journal);
  await journal.append(
    journalEntry({
      body: '{"event":"certificate_issued","data":{"order_id":999999}}',
      event: "certificate_issued",
      headers: { "content-type": "application/json" },
      receivedAt: Date.now(),
    }),
  );
  await journal.close();
  const again = await readJournal(listen.journal);
  assert.equal(again.entries.length, contents.entries.length + 1);
  assert.equal(again.tornTail, false);
  assert.equal(orderIdOf(again.entries.at(-1)!.body), 999999);
  t.diagnostic(
    `answered 200 before the kill: ${load.ok.length}; journaled: ${journaled.size}; torn tail: ${contents.tornTail}`,
  );
});
