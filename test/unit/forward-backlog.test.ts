// The forward backlog: beyond the memory budget, deliveries wait as journal references and their bodies are
// read back from the journal (src/listen/forward-backlog.ts, src/listen/journal-read.ts).
import assert from "node:assert/strict";
import { appendFileSync, writeFileSync } from "node:fs";
import type { ServerResponse } from "node:http";
import { join } from "node:path";
import { test } from "node:test";
import type { Delivery } from "../../src/listen/forward.js";
import { createForwardBacklog } from "../../src/listen/forward-backlog.js";
import { type JournalEntry, journalEntry, openJournal } from "../../src/listen/journal.js";
import { createJournalCursor } from "../../src/listen/journal-read.js";
import { tempDir } from "../helpers/cli.js";
import { watchedForwarder } from "../helpers/forwarder.js";
import { startLoopback } from "../helpers/loopback.js";
import { waitUntil } from "../helpers/wait.js";

const KEY = "k3y-0123456789abcdefghijklmnopqrstuvwxyzABCD";

function entry(n: number, pad = 0): JournalEntry {
  return journalEntry({
    body: JSON.stringify({ event: "certificate_issued", data: { order_id: n, pad: "p".repeat(pad) } }),
    event: "certificate_issued",
    headers: {
      "Content-Type": "application/json",
      "User-Agent": "DigiCert-Webhook/1.0",
      "x-webhook-key": "x",
    },
    receivedAt: Date.UTC(2026, 0, 1, 0, 0, n),
  });
}

/** A journal path in a new directory; nothing is written yet. */
const newJournalPath = () => join(tempDir("certwh-backlog-"), "journal.ndjson");

/** Append `entries` to the journal at `path` (written the way listen writes it). */
async function writeJournal(path: string, entries: JournalEntry[]): Promise<string> {
  const j = await openJournal(path, { sync: false });
  await Promise.all(entries.map((e) => j.append(e)));
  await j.close();
  return path;
}

/** A journal holding `entries` before the test's backlog or forwarder exists (an earlier session's view). */
const journalWith = (entries: JournalEntry[]) => writeJournal(newJournalPath(), entries);

/** What dispatch hands the forwarder for a journaled entry. */
const deliveryOf = (e: JournalEntry): Delivery => ({
  id: e.id,
  event: e.event,
  body: e.body,
  headers: { ...e.headers, "x-webhook-key": KEY },
});

/** A loopback target recording every request; `hold` keeps answers back until released. */
async function target() {
  const held: ServerResponse[] = [];
  let hold = false;
  const server = await startLoopback((_req, res) => {
    if (hold) held.push(res);
    else res.writeHead(204).end();
  });
  return {
    url: `${server.origin}/hook`,
    received: server.requests,
    held,
    maxInFlight: server.maxInFlight,
    setHold(on: boolean) {
      hold = on;
      if (!on) for (const res of held.splice(0)) res.writeHead(204).end();
    },
    close: server.close,
  };
}

const until = (cond: () => boolean, what: string) =>
  waitUntil(cond, what, { timeoutMs: 3000, intervalMs: 10 });

test("beyond the memory budget, every delivery waits in the journal and reaches the target, body and headers intact", async () => {
  const entries = Array.from({ length: 60 }, (_, i) => entry(i + 1, 200));
  const path = newJournalPath(); // listen creates the forwarder before it journals anything
  const t = await target();
  const { f, results, notices } = watchedForwarder({
    url: t.url,
    concurrency: 2,
    queueLimit: 5,
    memoryBytes: 2000, // about 7 of these bodies
    journalPath: path,
  });
  await writeJournal(path, entries);
  try {
    t.setHold(true);
    for (const e of entries) assert.equal(f.enqueue(deliveryOf(e)), true, `enqueue ${e.id}`);
    assert.equal(f.pending, 60);
    await until(() => t.held.length === 2, "two held requests");
    t.setHold(false);
    await f.drain();
    assert.equal(f.pending, 0);
    assert.deepEqual(notices, []);
    assert.equal(results.length, 60);
    assert.ok(results.every((r) => r.ok && r.final && r.attempt === 1));
    assert.deepEqual(
      t.received.map((r) => r.text).sort(),
      entries.map((e) => e.body).sort(),
      "every body arrived once, exactly as journaled",
    );
    for (const r of t.received) {
      assert.equal(r.headers["x-webhook-key"], KEY);
      assert.equal(r.headers["content-type"], "application/json");
      assert.equal(r.headers["user-agent"], "DigiCert-Webhook/1.0");
    }
    assert.ok(t.maxInFlight() <= 2);
  } finally {
    await f.close();
    await t.close();
  }
});

test("entries of earlier sessions are never forwarded again: reading starts where this session began", async () => {
  const old = entry(1);
  const path = await journalWith([old]);
  const backlog = createForwardBacklog({ journalPath: path });
  const fresh = entry(2);
  const j = await openJournal(path, { sync: false });
  await j.append(old); // the same body arrives again in this session
  await j.append(fresh);
  await j.close();
  assert.equal(backlog.push(deliveryOf(old)), true);
  assert.equal(backlog.push(deliveryOf(fresh)), true);
  const { loaded, missing } = await backlog.load(10, 1_000_000);
  assert.deepEqual(missing, []);
  assert.deepEqual(
    loaded.map((d) => d.id),
    [old.id, fresh.id],
  );
  assert.equal(backlog.size, 0);
});

test("a reference pushed after the scan passed its line is found by a pass from the session's start", async () => {
  const [a, b, c] = [entry(1), entry(2), entry(3)];
  const path = newJournalPath();
  const backlog = createForwardBacklog({ journalPath: path });
  await writeJournal(path, [a, b, c] as JournalEntry[]);
  backlog.push(deliveryOf(a as JournalEntry));
  const first = await backlog.load(10, 1_000_000);
  assert.deepEqual(
    first.loaded.map((d) => d.id),
    [a?.id],
  ); // the cursor is now at the end, past b and c
  backlog.push(deliveryOf(b as JournalEntry));
  const second = await backlog.load(10, 1_000_000);
  assert.deepEqual(
    second.loaded.map((d) => d.id),
    [b?.id],
  );
  assert.deepEqual(second.missing, []);
  assert.equal(second.loaded[0]?.headers["x-webhook-key"], KEY);
});

test("loads stop at the byte budget and resume where they stopped", async () => {
  const entries = Array.from({ length: 10 }, (_, i) => entry(i + 1, 100));
  const path = newJournalPath();
  const backlog = createForwardBacklog({ journalPath: path });
  await writeJournal(path, entries);
  for (const e of entries) backlog.push(deliveryOf(e));
  const size = Buffer.byteLength(entries[0]?.body ?? "");
  const ids: string[] = [];
  for (let i = 0; i < 10 && backlog.size > 0; i++) {
    const { loaded } = await backlog.load(100, size * 3);
    assert.ok(loaded.length >= 1 && loaded.length <= 3, `load ${i}: ${loaded.length}`);
    ids.push(...loaded.map((d) => d.id));
  }
  assert.deepEqual(
    ids,
    entries.map((e) => e.id),
  );
});

test("an entry gone from the journal is reported once, as a final failure naming it", async () => {
  const present = entry(1);
  const path = newJournalPath(); // listen creates the forwarder before it journals anything
  const t = await target();
  const { f, results } = watchedForwarder({
    url: t.url,
    concurrency: 1,
    queueLimit: 1,
    journalPath: path,
  });
  await writeJournal(path, [present]);
  try {
    t.setHold(true);
    assert.equal(f.enqueue(deliveryOf(present)), true); // in memory
    assert.equal(f.enqueue(deliveryOf(entry(99))), true); // never journaled: waits as a reference
    await until(() => t.held.length === 1, "the first request");
    t.setHold(false);
    await f.drain();
    assert.deepEqual(
      results.map((r) => [r.id, r.ok, r.error]).sort(),
      [
        [present.id, true, undefined],
        [entry(99).id, false, "not found in the journal any more"],
      ].sort(),
    );
  } finally {
    await f.close();
    await t.close();
  }
});

test("a full backlog refuses with a final failure and says how to replay the event", async () => {
  const entries = [entry(1), entry(2), entry(3)];
  const path = newJournalPath(); // listen creates the forwarder before it journals anything
  const t = await target();
  const { f, results, notices } = watchedForwarder({
    url: t.url,
    concurrency: 1,
    queueLimit: 1,
    backlogLimit: 1,
    journalPath: path,
  });
  await writeJournal(path, entries);
  try {
    t.setHold(true);
    const [e1, e2, e3] = entries as [JournalEntry, JournalEntry, JournalEntry];
    assert.equal(f.enqueue(deliveryOf(e1)), true);
    assert.equal(f.enqueue(deliveryOf(e2)), true);
    assert.equal(f.enqueue(deliveryOf(e3)), false);
    assert.deepEqual(
      results.map((r) => [r.id, r.final, r.error]),
      [[e3.id, true, "forward backlog full (the event is in the journal)"]],
    );
    assert.equal(notices.length, 1);
    assert.ok(
      notices[0]?.includes(`certwh replay --journal ${path} --to ${t.url} --id ${e3.id}`),
      notices[0],
    );
    t.setHold(false);
    await f.drain();
    assert.equal(results.filter((r) => r.ok).length, 2);
  } finally {
    await f.close();
    await t.close();
  }
});

test("close() reports the forwards still waiting in the backlog, with one summary naming the journal", async () => {
  const entries = Array.from({ length: 8 }, (_, i) => entry(i + 1));
  const path = newJournalPath(); // listen creates the forwarder before it journals anything
  const t = await target();
  const { f, results, notices } = watchedForwarder({
    url: t.url,
    concurrency: 1,
    queueLimit: 2,
    journalPath: path,
  });
  await writeJournal(path, entries);
  try {
    t.setHold(true);
    for (const e of entries) f.enqueue(deliveryOf(e));
    await until(() => t.held.length === 1, "the first request");
    await f.close();
    assert.equal(results.length, 8);
    assert.equal(new Set(results.map((r) => r.id)).size, 8);
    assert.ok(results.every((r) => r.final && !r.ok && r.error === "forwarder closed"));
    assert.equal(notices.length, 1);
    assert.match(
      notices[0] ?? "",
      /^8 forward\(s\) to .* had not finished when forwarding stopped\. They are in the journal/,
    );
    assert.ok(notices[0]?.includes(`certwh replay --journal ${path} --to ${t.url} --id <id>`), notices[0]);
    assert.equal(f.pending, 0);
  } finally {
    await f.close();
    await t.close();
  }
});

test("the journal cursor returns complete lines only and grows past a chunk for a long line", async () => {
  const dir = tempDir("certwh-cursor-");
  const path = join(dir, "journal.ndjson");
  const long = entry(1, 5000);
  const short = entry(2);
  writeFileSync(path, `${JSON.stringify(long)}\n\nnot json\n${JSON.stringify(short)}\n{"received_at":"2026`);
  const cursor = createJournalCursor(path, 0, 1024); // smaller than the long line
  const seen: string[] = [];
  for (let i = 0; i < 10; i++) {
    const lines = await cursor.next();
    if (lines.length === 0) break;
    seen.push(...lines.map((l) => l.id));
  }
  assert.deepEqual(seen, [long.id, short.id]);
  const torn = cursor.offset;
  // The unfinished last line stays ahead of the cursor until its writer finishes it.
  appendFileSync(path, `${JSON.stringify(entry(3)).slice(20)}\n`);
  const after = await cursor.next();
  assert.deepEqual(
    after.map((l) => [l.id, l.start]),
    [[entry(3).id, torn]],
  );
  assert.deepEqual(await createJournalCursor(join(dir, "absent.ndjson")).next(), []);
});
