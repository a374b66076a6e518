// The listen journal: one JSON line per accepted event, appended and flushed to disk BEFORE the receiver
// answers 200, so a crash or a failing forward target never loses an event (`certwh replay` reads it).
//
// - Never stores the X-WEBHOOK-KEY value, only whether one was present (the file would otherwise hold
//   the secret); it does hold event bodies (challenge tokens), hence a 0600 file in a 0700 directory.
// - One file handle, writes serialized through a queue. Lines that arrive while a write is in flight
//   are committed together (one write, synchronous to disk: O_DSYNC or fdatasync), so many concurrent
//   appends stay cheap (group commit); each append resolves only after the write that holds its line.
// - kill -9 can leave a torn last line. The reader skips it and reports it; opening the journal again
//   first ends that fragment with a newline so the next entry starts on a line of its own.
// - The path can stop naming the open file (the journal moved by hand or by logrotate, or removed): lines
//   would then land in a file replay cannot find. Before each write the path is checked against the open
//   file (one stat per batch); when they differ the path is opened again, a new file, and the batch goes there.
// - Another process may append to the same file (a second listen with the same --journal): the same stat
//   shows the file larger than what this journal wrote, and `onShared` says so once, so the session's replay
//   command names its own events instead of everything since its first.

import { hash } from "node:crypto";
import { constants } from "node:fs";
import { type FileHandle, open, stat } from "node:fs/promises";
import { dirname } from "node:path";
import { fileKind, notRegular } from "../util/fs-error.js";
import { makeDirs } from "../util/make-dirs.js";
import { isoTime } from "./iso-time.js";
import { journalPathReplaced } from "./journal-failure.js";

interface JournalHeaders {
  "content-type"?: string;
  "user-agent"?: string;
}

export interface JournalEntry {
  /** ISO 8601 time the receiver accepted the request. */
  received_at: string;
  /** First 16 hex characters of the body's SHA-256: a short, stable reference to the event. */
  id: string;
  /** The payload's `event` value. */
  event: string;
  /** The raw body text, exactly as received. */
  body: string;
  /** Only these two headers are kept; never X-WEBHOOK-KEY. */
  headers: JournalHeaders;
  /** Whether the request carried an X-WEBHOOK-KEY (the value itself is never written). */
  key_present: boolean;
  /** The same body arrived before (within the receiver's repeat window) and was passed on again. */
  repeat?: true;
  /** With `repeat`: when the first copy arrived. */
  first_received_at?: string;
}

interface JournalEntryInput {
  body: Buffer | string;
  event: string;
  /** Request headers as node:http gives them (any name case). */
  headers: Record<string, string | string[] | undefined>;
  /** Epoch milliseconds (from the injected clock). */
  receivedAt: number;
  /** The body's hex SHA-256 when the caller already has it (the receiver's `digest`): saves a second hash. */
  digest?: string;
  /** The caller checked an X-WEBHOOK-KEY (so `headers` need not carry it to say so). */
  keyPresent?: boolean;
  /** A repeat: epoch milliseconds of the first copy. */
  firstReceivedAt?: number;
}

/** The journal id of a body: the first 16 hex characters of its SHA-256. */
export function entryId(body: Buffer | string): string {
  return hash("sha256", body, "hex").slice(0, 16);
}

/**
 * The journaled headers and whether a key was present, in one pass over the request's headers: for each name
 * the first key (in any case) with a defined value wins; repeated values are joined with ", ".
 */
function pickHeaders(headers: JournalEntryInput["headers"]): {
  headers: JournalHeaders;
  keyPresent: boolean;
} {
  let contentType: string | undefined;
  let userAgent: string | undefined;
  let keyPresent = false;
  for (const key of Object.keys(headers)) {
    const value = headers[key];
    if (value === undefined) continue;
    const name = key.toLowerCase();
    if (name === "content-type") contentType ??= Array.isArray(value) ? value.join(", ") : value;
    else if (name === "user-agent") userAgent ??= Array.isArray(value) ? value.join(", ") : value;
    else if (name === "x-webhook-key") keyPresent = true;
  }
  return { headers: stringHeaders({ "content-type": contentType, "user-agent": userAgent }), keyPresent };
}

/** Build the entry for an accepted request, keeping only what the journal may hold. */
export function journalEntry(input: JournalEntryInput): JournalEntry {
  const body = typeof input.body === "string" ? input.body : input.body.toString("utf8");
  const { headers, keyPresent } = pickHeaders(input.headers);
  return {
    received_at: isoTime(input.receivedAt),
    id: input.digest ? input.digest.slice(0, 16) : entryId(input.body),
    event: input.event,
    body,
    headers,
    key_present: keyPresent || input.keyPresent === true,
    ...(input.firstReceivedAt !== undefined
      ? { repeat: true, first_received_at: isoTime(input.firstReceivedAt) }
      : {}),
  };
}

/** `,"repeat":true,"first_received_at":…` for a repeat, else "". */
function repeatFields(entry: JournalEntry): string {
  if (entry.repeat !== true || typeof entry.first_received_at !== "string") return "";
  return `,"repeat":true,"first_received_at":${JSON.stringify(entry.first_received_at)}`;
}

/**
 * Serialize with an explicit field list, so nothing else a caller put on the object reaches the disk. The line
 * is assembled from JSON-encoded strings (what JSON.stringify of the same object writes, byte for byte) without
 * building the two intermediate objects per entry.
 */
function serialize(entry: JournalEntry): string {
  const { received_at, id, event, body } = entry;
  const contentType = entry.headers?.["content-type"];
  const userAgent = entry.headers?.["user-agent"];
  let headers = "";
  if (typeof contentType === "string") headers = `"content-type":${JSON.stringify(contentType)}`;
  if (typeof userAgent === "string")
    headers += `${headers ? "," : ""}"user-agent":${JSON.stringify(userAgent)}`;
  return `{"received_at":${JSON.stringify(received_at)},"id":${JSON.stringify(id)},"event":${JSON.stringify(event)},"body":${JSON.stringify(body)},"headers":{${headers}},"key_present":${entry.key_present === true}${repeatFields(entry)}}`;
}

/** The two journaled headers, each only when it is a string. */
function stringHeaders(value: unknown): JournalHeaders {
  const h = typeof value === "object" && value !== null ? (value as Record<string, unknown>) : undefined;
  const headers: JournalHeaders = {};
  if (typeof h?.["content-type"] === "string") headers["content-type"] = h["content-type"];
  if (typeof h?.["user-agent"] === "string") headers["user-agent"] = h["user-agent"];
  return headers;
}

export interface Journal {
  /** Resolves once the line is written and on disk (O_DSYNC or fdatasync); rejects on an I/O error. */
  append(entry: JournalEntry): Promise<void>;
  /** Waits for pending appends, then closes the file. Idempotent. */
  close(): Promise<void>;
}

interface OpenJournalOptions {
  /** Each batch on disk before its appends resolve (default true). Tests of throughput may turn it off. */
  sync?: boolean;
  /** How many appends are on their way (e.g. requests in flight): a write waits briefly to take them all. */
  expectedAppends?: () => number;
  /** The path no longer named the open file (moved or removed): a new file was opened there. */
  onReplaced?: () => void;
  /** Once: another process appended to the journal file too (checked before each write and at close). */
  onShared?: () => void;
}

/** Longest a write waits for the rest of its group (see gather() in openJournal). */
const GATHER_MS = 1;

/**
 * Writes the text as UTF-8, all of it. Handed over as a string, Node encodes it straight into the write (no
 * Buffer of the batch on the heap: about 2 µs a line under load); a short write, which only a nearly full disk
 * gives, finishes from the encoded bytes.
 */
async function writeAll(fh: FileHandle, text: string): Promise<number> {
  let offset = (await fh.write(text, null, "utf8")).bytesWritten;
  const length = Buffer.byteLength(text, "utf8");
  if (offset === length) return length;
  const data = Buffer.from(text, "utf8");
  while (offset < data.length) {
    const { bytesWritten } = await fh.write(data, offset, data.length - offset, null);
    offset += bytesWritten;
  }
  return length;
}

/** The journal file at `path`, opened for appending; whether its last line is torn (needs a newline first). */
async function openFile(
  path: string,
  dsync: number,
): Promise<{ fh: FileHandle; id: FileId; needsNewline: boolean; size: number }> {
  const fh = await open(path, constants.O_APPEND | constants.O_CREAT | constants.O_RDWR | dsync, 0o600);
  const stats = await fh.stat();
  // A FIFO or a device (/dev/null, /dev/full) would take lines that can never be read back: an event
  // answered 200 must be in the journal, for replay and the forward backlog. --no-journal is the way to go without.
  if (!stats.isFile()) {
    await fh.close();
    throw notRegular(path, fileKind(stats), {
      what: "the journal",
      action: "write",
      instead: "choose another --journal, or run with --no-journal",
    });
  }
  // An existing file may have been created looser (or by hand): it holds tokens, so tighten it.
  await fh.chmod(0o600).catch(() => undefined);

  // A torn last line from a crash: terminate it so it stays one bad line instead of swallowing ours.
  let needsNewline = false;
  const { size } = stats;
  if (size > 0) {
    const last = Buffer.alloc(1);
    await fh.read(last, 0, 1, size - 1);
    needsNewline = last[0] !== 0x0a;
  }
  return { fh, id: fileId(stats), needsNewline, size };
}

/** Which file a stat describes: device and inode. */
type FileId = string;
const fileId = (st: { dev: number; ino: number }): FileId => `${st.dev}:${st.ino}`;

/** The size of the file at `path` when it still is the file `id`; undefined when it was moved, removed or replaced. */
async function sizeIfStillNames(path: string, id: FileId): Promise<number | undefined> {
  try {
    const st = await stat(path);
    return fileId(st) === id ? st.size : undefined;
  } catch {
    return undefined;
  }
}

/** Open (creating if needed) the journal at `path`: directory 0700, file 0600, append-only. */
export async function openJournal(path: string, options: OpenJournalOptions = {}): Promise<Journal> {
  const sync = options.sync ?? true;
  await makeDirs(dirname(path), 0o700);
  // With O_DSYNC a write returns only once its data is on disk (what write + fdatasync guarantee), in one
  // system call: one thread-pool round trip per batch instead of two. Without the flag (Windows): fdatasync.
  const dsync = sync ? (constants.O_DSYNC ?? 0) : 0;
  let { fh, id, needsNewline, size: end } = await openFile(path, dsync);
  // Where this journal's last write ended: a larger file means another process appended too.
  let shared = false;
  const noteSize = (size: number) => {
    if (size > end && !shared) {
      shared = true;
      options.onShared?.();
    }
    end = size; // smaller: truncated in place (logrotate's copytruncate), not shared
  };

  /**
   * The path names another file, or none: open the path again (a new file, 0600), then close ours. When that
   * fails the old file stays open (close() still works) and the next write tries again.
   */
  async function followPath(): Promise<void> {
    const size = await sizeIfStillNames(path, id);
    if (size !== undefined) return noteSize(size);
    await makeDirs(dirname(path), 0o700);
    const old = fh;
    const opened = await openFile(path, dsync).catch(async (error: unknown) => {
      // Something else than a file took the path (a FIFO, a device, a folder): say that, not a bare ENOTREG.
      const now = await stat(path).catch(() => undefined);
      throw now && !now.isFile() ? journalPathReplaced(path, fileKind(now)) : error;
    });
    ({ fh, id, needsNewline, size: end } = opened);
    await old.close().catch(() => undefined);
    options.onReplaced?.();
  }

  type Pending = { line: string; resolve: () => void; reject: (err: unknown) => void };
  let queue: Pending[] = [];

  // Group commit that keeps the group together. When an idle journal gets a line, the other requests of the same
  // burst arrive over the next fraction of a millisecond; writing at once would split them into a batch of one
  // and a batch of the rest, each waiting for about two syncs instead of one. So the first write after idle
  // waits (at most GATHER_MS) until as many lines are queued as are expected: the requests the caller has in
  // flight (`expectedAppends`) or, if more, the larger of the last two batches. A lone client never waits.
  // Once writing, the journal never waits: lines queued during a write have waited a whole sync already, and
  // under load the next burst arrives while the next write is on its way (a pipeline of one write at a time).
  // Gathering there too (the requests in flight include those being answered, so the expectation was never
  // met) added the full GATHER_MS to nearly every sync: 30% of the journal's time under the benchmark.
  let recentBatch = [0, 0];
  let gathered: (() => void) | null = null;
  const expectedAppends = options.expectedAppends;
  const expected = () => Math.max(recentBatch[0], recentBatch[1], expectedAppends ? expectedAppends() : 0);

  function gather(): Promise<void> | undefined {
    if (queue.length >= expected()) return undefined;
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => gathered?.(), GATHER_MS);
      gathered = () => {
        gathered = null;
        clearTimeout(timer);
        resolve();
      };
    });
  }

  let flushing: Promise<void> | null = null;
  let closed: Promise<void> | null = null;

  async function flush(): Promise<void> {
    const waiting = gather();
    if (waiting) await waiting;
    while (queue.length > 0) {
      const batch = queue;
      queue = [];
      recentBatch = [recentBatch[1], batch.length];
      // One string, one write for the whole batch.
      let text = "";
      for (const p of batch) text += p.line;
      try {
        await followPath();
        end += await writeAll(fh, needsNewline ? `\n${text}` : text);
        needsNewline = false;
        if (sync && !dsync) await fh.datasync();
        for (const p of batch) p.resolve();
      } catch (err) {
        // A failed write may have left part of a line behind; isolate it before the next batch.
        needsNewline = true;
        end = Number.POSITIVE_INFINITY; // how much of it landed is unknown: the next stat tells
        for (const p of batch) p.reject(err);
      }
    }
    flushing = null;
  }

  return {
    append(entry) {
      if (closed) return Promise.reject(new Error(`The journal ${path} is closed.`));
      const line = `${serialize(entry)}\n`;
      return new Promise<void>((resolve, reject) => {
        queue.push({ line, resolve, reject });
        if (gathered && queue.length >= expected()) gathered();
        flushing ??= flush();
      });
    },
    close() {
      closed ??= (async () => {
        while (flushing) await flushing;
        // Appends by another process after this journal's last write count too.
        const size = await sizeIfStillNames(path, id);
        if (size !== undefined) noteSize(size);
        await fh.close();
      })();
      return closed;
    },
  };
}

export interface SkippedLine {
  /** 1-based line number in the file. */
  line: number;
  reason: string;
}

/** A parsed journal line as an entry, or null when it is not one (the one rule for readers). */
export function journalEntryFrom(value: unknown): JournalEntry | null {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return null;
  const v = value as Record<string, unknown>;
  if (typeof v.received_at !== "string" || Number.isNaN(Date.parse(v.received_at))) return null;
  if (typeof v.id !== "string" || typeof v.event !== "string" || typeof v.body !== "string") return null;
  return {
    received_at: v.received_at,
    id: v.id,
    event: v.event,
    body: v.body,
    headers: stringHeaders(v.headers),
    key_present: v.key_present === true,
    ...(v.repeat === true && typeof v.first_received_at === "string"
      ? { repeat: true as const, first_received_at: v.first_received_at }
      : {}),
  };
}
