// The forward backlog: deliveries the forwarder accepted but had no memory budget for. Their bodies are
// already durable in the journal (written before the receiver answered 200), so only a small reference is
// kept here (id, event name, the X-WEBHOOK-KEY to send) and the body is read back from the journal when
// the forwarder has room again.
//
// Finding entries again: the journal is scanned forward from where this session began, with a cursor
// that only moves ahead. An entry is pushed here only after its line was flushed, but a scan can pass a
// line in the moment between its write and its push (the write lands before the flush resolves). So
// when a scan reaches the end of the file while some reference older than the scan is still unmatched,
// the journal is scanned once more from the session's start; a reference still unmatched after such a
// full pass is reported missing (the file was moved or truncated under us).

import { stat } from "node:fs/promises";
import type { Delivery } from "./forward-types.js";
import { createJournalCursor, entryFromLine } from "./journal-read.js";

interface SpilledRef {
  id: string;
  event: string;
  /** Sent as X-WEBHOOK-KEY; the journal never holds it. */
  key?: string;
  receivedAt?: string;
  /** Order of arrival, to tell references older than a scan from newer ones. */
  seq: number;
}

export interface BacklogLoad {
  /** Deliveries read back from the journal, bodies included. */
  loaded: Delivery[];
  /** References whose entry is not in the journal. */
  missing: SpilledRef[];
}

export interface ForwardBacklog {
  /** References waiting (not counting a load in progress). */
  readonly size: number;
  /** Most references kept. */
  readonly limit: number;
  readonly journalPath: string;
  /** Keep a reference; false when the backlog already holds `limit` of them. */
  push(delivery: Pick<Delivery, "id" | "event" | "headers" | "receivedAt">): boolean;
  /** Read back up to `maxCount` deliveries totalling about `maxBytes` of bodies (at least one). */
  load(maxCount: number, maxBytes: number): Promise<BacklogLoad>;
  /** Remove and return every reference (on close). */
  takeAll(): SpilledRef[];
}

interface BacklogOptions {
  journalPath: string;
  /** Most references kept (default 100,000: a few MB). */
  limit?: number;
}

export function createForwardBacklog(options: BacklogOptions): ForwardBacklog {
  const path = options.journalPath;
  const limit = options.limit ?? 100_000;
  // Created before listen opens the journal, so the file's current size is where this session begins.
  const sessionStart: Promise<number> = stat(path).then(
    (s) => s.size,
    () => 0,
  );
  // id → references (an id repeats only if the same body was accepted twice, beyond the dedupe window).
  const refs = new Map<string, SpilledRef[]>();
  let count = 0;
  let nextSeq = 0;
  let cursor: ReturnType<typeof createJournalCursor> | undefined;

  const oldestSeq = (): number => refs.values().next().value?.[0]?.seq ?? Number.POSITIVE_INFINITY;

  function take(id: string): SpilledRef | undefined {
    const list = refs.get(id);
    const ref = list?.shift();
    if (list && list.length === 0) refs.delete(id);
    if (ref) count--;
    return ref;
  }

  function takeOlderThan(seq: number): SpilledRef[] {
    // Each id's references are in arrival order, so the older ones are the first that take() removes.
    const old = [...refs.values()].flat().filter((r) => r.seq < seq);
    for (const r of old) take(r.id);
    return old;
  }

  return {
    get size() {
      return count;
    },
    limit,
    journalPath: path,
    push(d) {
      if (count >= limit) return false;
      const ref: SpilledRef = { id: d.id, event: d.event, seq: nextSeq++ };
      if (d.headers["x-webhook-key"] !== undefined) ref.key = d.headers["x-webhook-key"];
      if (d.receivedAt !== undefined) ref.receivedAt = d.receivedAt;
      refs.set(d.id, [...(refs.get(d.id) ?? []), ref]);
      count++;
      return true;
    },
    async load(maxCount, maxBytes) {
      const start = await sessionStart;
      cursor ??= createJournalCursor(path, start);
      const loaded: Delivery[] = [];
      const missing: SpilledRef[] = [];
      let bytes = 0;
      const olderThanThisScan = nextSeq;
      let fullPassFrom: number | undefined; // set while re-reading from the session's start
      while (count > 0 && loaded.length < Math.max(1, maxCount)) {
        const lines = await cursor.next();
        if (lines.length === 0) {
          if (fullPassFrom !== undefined) {
            missing.push(...takeOlderThan(fullPassFrom));
            break;
          }
          if (oldestSeq() >= olderThanThisScan) break; // the rest arrived during this scan: next time
          fullPassFrom = nextSeq;
          cursor.seek(start);
          continue;
        }
        for (const line of lines) {
          if (!refs.has(line.id)) continue;
          const entry = entryFromLine(line.text);
          if (!entry || entry.id !== line.id) continue;
          const size = Buffer.byteLength(entry.body);
          if (loaded.length > 0 && (bytes + size > maxBytes || loaded.length >= maxCount)) {
            cursor.seek(line.start); // not read yet: the next load starts here
            return { loaded, missing };
          }
          const ref = take(line.id) as SpilledRef;
          loaded.push({
            id: ref.id,
            event: ref.event,
            body: entry.body,
            receivedAt: entry.received_at,
            headers: { ...entry.headers, ...(ref.key !== undefined ? { "x-webhook-key": ref.key } : {}) },
          });
          bytes += size;
        }
      }
      return { loaded, missing };
    },
    takeAll() {
      const out = [...refs.values()].flat().sort((a, b) => a.seq - b.seq);
      refs.clear();
      count = 0;
      return out;
    },
  };
}
