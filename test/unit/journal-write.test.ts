import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import {
  appendFileSync,
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { type JournalEntry, journalEntry, openJournal } from "../../src/listen/journal.js";
import { streamJournal } from "../../src/listen/journal-read.js";
import { readJournal } from "../helpers/journal.js";

const root = mkdtempSync(join(tmpdir(), "certwh-journal-"));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshPath = () => join(root, `case-${++n}`, "nested", "journal.ndjson");

function entry(i: number, event = "certificate_issued"): JournalEntry {
  const body = JSON.stringify({ event, data: { order_id: i, certificate_id: i + 1000 } });
  return journalEntry({
    body: Buffer.from(body),
    event,
    headers: { "content-type": "application/json", "user-agent": "DigiCert-Webhook/1.0" },
    receivedAt: Date.UTC(2026, 0, 1, 0, 0, i),
  });
}

test("appends keep their order and read back field for field", async () => {
  const path = freshPath();
  const journal = await openJournal(path);
  for (let i = 1; i <= 3; i++) await journal.append(entry(i));
  await journal.close();
  const { entries, skipped, tornTail } = await readJournal(path);
  assert.deepEqual(skipped, []);
  assert.equal(tornTail, false);
  assert.deepEqual(
    entries.map((e) => JSON.parse(e.body).data.order_id),
    [1, 2, 3],
  );
  const first = entries[0] as JournalEntry;
  assert.equal(first.received_at, "2026-01-01T00:00:01.000Z");
  assert.equal(first.event, "certificate_issued");
  assert.equal(first.id, createHash("sha256").update(first.body).digest("hex").slice(0, 16));
  assert.deepEqual(first.headers, {
    "content-type": "application/json",
    "user-agent": "DigiCert-Webhook/1.0",
  });
  assert.equal(first.key_present, false);
});

test("500 concurrent appends give 500 valid, distinct lines", async () => {
  const path = freshPath();
  const journal = await openJournal(path);
  await Promise.all(Array.from({ length: 500 }, (_, i) => journal.append(entry(i + 1))));
  await journal.close();
  const text = readFileSync(path, "utf8");
  assert.equal(text.endsWith("\n"), true);
  assert.equal(text.split("\n").length - 1, 500);
  const { entries, skipped } = await readJournal(path);
  assert.equal(skipped.length, 0);
  assert.equal(entries.length, 500);
  assert.equal(new Set(entries.map((e) => e.id)).size, 500);
});

test("the directory is created 0700 and the file 0600; a looser existing file is tightened", async () => {
  const path = freshPath();
  const journal = await openJournal(path);
  await journal.append(entry(1));
  await journal.close();
  assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.equal(statSync(join(path, "..")).mode & 0o777, 0o700);

  const loose = join(root, "loose.ndjson");
  writeFileSync(loose, "");
  chmodSync(loose, 0o644);
  const again = await openJournal(loose);
  await again.close();
  assert.equal(statSync(loose).mode & 0o777, 0o600);
});

test("the X-WEBHOOK-KEY value is never written, only its presence", async () => {
  const canary = `canary-${"k".repeat(40)}`;
  const path = freshPath();
  const journal = await openJournal(path);
  const withKey = journalEntry({
    body: '{"event":"certificate_revoked","data":{"order_id":1}}',
    event: "certificate_revoked",
    headers: { "Content-Type": "application/json", "X-Webhook-Key": canary, "x-other": "kept-out" },
    receivedAt: Date.UTC(2026, 0, 1),
  });
  assert.equal(withKey.key_present, true);
  await journal.append(withKey);
  // Even an entry a caller decorated with the header is serialized field by field.
  const decorated = { ...entry(2), headers: { "content-type": "application/json", "x-webhook-key": canary } };
  await journal.append(decorated as JournalEntry);
  await journal.close();
  const text = readFileSync(path, "utf8");
  assert.equal(text.includes(canary), false);
  assert.equal(text.includes("kept-out"), false);
  const { entries } = await readJournal(path);
  assert.equal(entries[0]?.key_present, true);
  assert.deepEqual(entries[0]?.headers, { "content-type": "application/json" });
});

test("append after close is refused", async () => {
  const journal = await openJournal(freshPath());
  await journal.close();
  await journal.close(); // idempotent
  await assert.rejects(journal.append(entry(1)), /closed/);
});

test("a torn last line is skipped and reported; reopening isolates it from the next entry", async () => {
  const path = freshPath();
  const journal = await openJournal(path);
  await journal.append(entry(1));
  await journal.append(entry(2));
  await journal.close();
  appendFileSync(path, '{"received_at":"2026-01-01T00:00:03.000Z","id":"ab');

  const torn = await readJournal(path);
  assert.equal(torn.entries.length, 2);
  assert.equal(torn.tornTail, true);
  assert.deepEqual(torn.skipped, [{ line: 3, reason: "incomplete last line" }]);

  const reopened = await openJournal(path);
  await reopened.append(entry(4));
  await reopened.close();
  const healed = await readJournal(path);
  assert.deepEqual(
    healed.entries.map((e) => JSON.parse(e.body).data.order_id),
    [1, 2, 4],
  );
  assert.equal(healed.tornTail, false);
  assert.deepEqual(healed.skipped, [{ line: 3, reason: "not valid JSON" }]);
});

test("survives kill -9 in the middle of a stream of appends", async () => {
  const path = freshPath();
  const journalModule = fileURLToPath(new URL("../../src/listen/journal.ts", import.meta.url));
  const script = join(root, "writer.mts");
  writeFileSync(
    script,
    `import { journalEntry, openJournal } from ${JSON.stringify(journalModule)};
const journal = await openJournal(${JSON.stringify(path)});
const big = "x".repeat(20000);
for (let i = 1; i <= 100000; i++) {
  const body = JSON.stringify({ event: "certificate_issued", data: { order_id: i }, pad: big });
  await Promise.all([1, 2, 3].map((k) => journal.append(journalEntry({ body, event: "certificate_issued", headers: {}, receivedAt: i * 10 + k }))));
  process.stdout.write(i + "\\n");
}`,
  );
  const child = spawn(process.execPath, ["--import", "tsx", script], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let acked = 0;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error("the writer did not start"));
    }, 15_000);
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      const last = d.trim().split("\n").pop();
      acked = Math.max(acked, Number(last));
      if (acked >= 20) {
        clearTimeout(timer);
        child.kill("SIGKILL");
        resolve();
      }
    });
  });
  await new Promise((resolve) => child.once("close", resolve));
  const { entries, skipped } = await readJournal(path);
  // Every acknowledged append is on disk; at most the last line is damaged.
  assert.ok(entries.length >= acked * 3, `${entries.length} entries for ${acked} acknowledged rounds`);
  assert.ok(skipped.length <= 1);
  if (skipped.length === 1) assert.equal(skipped[0]?.reason, "incomplete last line");
});

test("a FIFO or a device is refused as the journal (lines there could never be read back), its mode untouched", async () => {
  const dir = join(root, `case-${++n}`);
  mkdirSync(dir);
  const fifo = join(dir, "journal.fifo");
  execFileSync("mkfifo", ["-m", "0644", fifo]);
  await assert.rejects(openJournal(fifo, { sync: false }), /it is a FIFO, not a regular file/);
  await assert.rejects(openJournal("/dev/null", { sync: false }), /it is a device, not a regular file/);
  assert.equal(statSync(fifo).mode & 0o777, 0o644);
});

test("streamJournal with endByte reads the journal as it was: a line being written at that size is left out", async () => {
  const dir = mkdtempSync(join(tmpdir(), "certwh-journal-end-"));
  const path = join(dir, "journal.ndjson");
  const line = (n: number) =>
    `${JSON.stringify(journalEntry({ body: `{"event":"certificate_issued","data":{"order_id":${n}}}`, event: "certificate_issued", headers: {}, receivedAt: n }))}\n`;
  writeFileSync(path, line(1) + line(2));
  const endByte = statSync(path).size;
  // A listen appends meanwhile; the first append is caught half written.
  const third = line(3);
  appendFileSync(path, third.slice(0, 20));
  const read = async (end?: number) => {
    const out: (number | string)[] = [];
    for await (const r of streamJournal(path, end))
      out.push(
        r.entry ? (JSON.parse(r.entry.body) as { data: { order_id: number } }).data.order_id : r.reason,
      );
    return out;
  };
  assert.deepEqual(await read(endByte), [1, 2]);
  assert.deepEqual(await read(endByte - 5), [1], "a line cut at endByte is left out");
  assert.deepEqual(await read(), [1, 2, "incomplete last line"], "without endByte the torn tail is reported");
  appendFileSync(path, third.slice(20) + line(4));
  assert.deepEqual(await read(endByte), [1, 2]);
  assert.deepEqual(await read(), [1, 2, 3, 4]);
});

test("moved or removed under it: the next append opens a new file at the path, says so once, and goes there", async () => {
  const path = freshPath();
  let replaced = 0;
  const journal = await openJournal(path, { onReplaced: () => replaced++ });
  await journal.append(entry(1));
  renameSync(path, `${path}.1`);
  await journal.append(entry(2));
  await journal.append(entry(3));
  assert.equal(replaced, 1);
  rmSync(path);
  await journal.append(entry(4));
  assert.equal(replaced, 2);
  await journal.close();
  const orders = async (p: string) =>
    (await readJournal(p)).entries.map((e) => JSON.parse(e.body).data.order_id);
  assert.deepEqual(await orders(`${path}.1`), [1]);
  assert.deepEqual(await orders(path), [4]);
  assert.equal(statSync(path).mode & 0o777, 0o600);
});

test("a new file that cannot be opened where the journal was: the append is refused with that error", async () => {
  const path = freshPath();
  let replaced = 0;
  const journal = await openJournal(path, { onReplaced: () => replaced++ });
  await journal.append(entry(1));
  // Its folder gone, and a file where it was: no journal can be opened at the path.
  rmSync(dirname(path), { recursive: true });
  writeFileSync(dirname(path), "");
  await assert.rejects(
    journal.append(entry(2)),
    (err: NodeJS.ErrnoException) => err.code === "ENOTDIR" || err.code === "EEXIST",
  );
  assert.equal(replaced, 0);
  await journal.close(); // the old file is still the one open
});

test("another process appending to the same file is noticed once (before a write, or at close); truncation is not", async () => {
  const path = freshPath();
  let shared = 0;
  const journal = await openJournal(path, { sync: false, onShared: () => shared++ });
  await journal.append(entry(1));
  await journal.append(entry(2));
  assert.equal(shared, 0, "its own lines are not another's");
  writeFileSync(path, ""); // truncated in place (copytruncate)
  await journal.append(entry(3));
  assert.equal(shared, 0);
  appendFileSync(path, `${JSON.stringify(entry(4))}\n`); // another listen's line
  await journal.append(entry(5));
  assert.equal(shared, 1);
  appendFileSync(path, `${JSON.stringify(entry(6))}\n`);
  await journal.close();
  assert.equal(shared, 1, "said once");

  const quiet = freshPath();
  let atClose = 0;
  const second = await openJournal(quiet, { sync: false, onShared: () => atClose++ });
  await second.append(entry(1));
  appendFileSync(quiet, `${JSON.stringify(entry(2))}\n`);
  await second.close();
  assert.equal(atClose, 1, "an append after the last write is noticed at close");
});
