// The session's deliveries as the inspector shows them: a compact summary per request the receiver answered
// (what the list needs) and, apart, the detail of accepted ones (raw body and journaled headers). Both are
// bounded, so a session that runs for days keeps a flat memory: the oldest summaries go first, and the
// details go sooner (they are big) while their rows stay, saying the journal still has them. A detail never
// outlives the last row that shows it.
//
// The store is fed two ways: listen's events (event, duplicate, rejected, forward) make and update the rows;
// journal entries (from listen's onAccepted hook, or read from a journal file) carry the details.

import { payloadData } from "../events/payloads.js";
import type { JournalEntry } from "../listen/journal.js";
import type { ListenEvent } from "../listen/types.js";

const SUMMARY_LIMIT = 20_000;
const DETAIL_BYTES_LIMIT = 64 * 1024 * 1024;
/** What a forward result keeps of the app's answer. */
const RESPONSE_KEPT = 512;
/** What the API answers for a row whose detail the store no longer holds. */
export const DETAIL_GONE = "detail no longer in memory; see the journal";
/** What it answers for an id it has no row for (never seen, or older than the newest SUMMARY_LIMIT). */
export const UNKNOWN_DELIVERY = `no delivery with this id among the newest ${SUMMARY_LIMIT.toLocaleString("en-US")} of this session`;

type Answer = "accepted" | "repeat" | "refused";

type ForwardEvent = Extract<ListenEvent, { type: "forward" }>;
/** A row keeps the latest forward result per target. */
type ForwardSummary = Pick<
  ForwardEvent,
  "url" | "ok" | "status" | "ms" | "attempt" | "final" | "error" | "response_body"
>;

interface DeliverySummary {
  /** Unique in the store (a sequence number as text): rows are keyed by it, repeats share a journal id. */
  key: string;
  /** The journal id, or "refused-<n>" for a request that was refused (it has no journal entry). */
  id: string;
  received_at: string;
  event: string;
  order_id?: string | number;
  certificate_id?: string | number;
  answer: Answer;
  /** The receiver's HTTP answer. */
  status: number;
  /** Why it was refused, or a note ("not passed on"). */
  reason?: string;
  forwards: ForwardSummary[];
  /** Bumped on every change: the page asks for what changed since the revision it has. */
  rev: number;
}

export type DeliveryDetail = Pick<
  JournalEntry,
  "id" | "event" | "received_at" | "body" | "headers" | "key_present"
>;

/** What one delivery of a body has of its own: repeats share the body (and the journal id), not these. */
type OwnFields = Pick<DeliveryDetail, "received_at" | "headers" | "key_present">;

/** A summary as the API sends it: whether the detail is still held. */
type SummaryView = DeliverySummary & { detail: boolean };

export interface DeliveriesStore {
  /** Makes or updates rows from one of listen's events (others are ignored). */
  observe(event: ListenEvent): void;
  /** Keeps an accepted delivery's detail (listen's onAccepted hook). */
  keep(entry: JournalEntry): void;
  /** A journal entry read back from a file (certwh inspect): its row and its detail. */
  addEntry(entry: JournalEntry): void;
  /** Summaries changed after revision `since` (all with 0), oldest first, and the current revision. */
  summaries(since?: number): { rev: number; total: number; deliveries: SummaryView[] };
  /** The detail of journal id `id`: as delivered in row `key` when given, else as last delivered. */
  detail(id: string, key?: string): DeliveryDetail | undefined;
  /** Why `detail(id)` has nothing: DETAIL_GONE for a row whose body was dropped, else UNKNOWN_DELIVERY. */
  whyNoDetail(id: string): string;
  /** Keys of the rows changed after `since` whose event, ids, answer or body contain `text` (any case). */
  search(text: string, since?: number): string[];
  /** Every delivery whose detail is held, oldest first (the journal download without a journal file). */
  details(): IterableIterator<DeliveryDetail>;
  readonly size: number;
}

/** A row's first fields: the delivery's id, time and event, and its payload's ids when they are plain values. */
function rowStart(d: { id: string; received_at: string; event: string }, data: unknown) {
  const { order_id, certificate_id } = (data ?? {}) as { order_id?: unknown; certificate_id?: unknown };
  const plain = (v: unknown): v is string | number => typeof v === "string" || typeof v === "number";
  return {
    id: d.id,
    received_at: d.received_at,
    event: d.event,
    ...(plain(order_id) ? { order_id } : {}),
    ...(plain(certificate_id) ? { certificate_id } : {}),
  };
}

export function createDeliveriesStore(
  limits: { summaries?: number; detailBytes?: number } = {},
): DeliveriesStore {
  const maxSummaries = limits.summaries ?? SUMMARY_LIMIT;
  const maxDetailBytes = limits.detailBytes ?? DETAIL_BYTES_LIMIT;
  // Map iteration is insertion order: the first entry is always the oldest.
  const rows = new Map<string, DeliverySummary>();
  /** Journal id → the key of its latest row (forward results go to the latest copy of a body). */
  const latest = new Map<string, string>();
  const held = new Map<string, { detail: DeliveryDetail; bytes: number }>();
  /** Row key → its delivery's own fields (rows of journaled deliveries only). */
  const own = new Map<string, OwnFields>();
  let heldBytes = 0;
  let seq = 0;
  let oldestSeq = 1;
  let rev = 0;
  let refused = 0;

  /** Makes a row; `journaled` when its delivery's entry was just kept (listen keeps it before the event). */
  function add(row: Omit<DeliverySummary, "key" | "rev" | "forwards">, journaled = false): void {
    const key = String(++seq);
    rows.set(key, { ...row, key, forwards: [], rev: ++rev });
    latest.set(row.id, key);
    const kept = held.get(row.id)?.detail;
    if (journaled && kept?.received_at === row.received_at) {
      const { received_at, headers, key_present } = kept;
      own.set(key, { received_at, headers, key_present });
    }
    // The oldest row is the lowest sequence number still held: rows go only here, oldest first. (Iterating the
    // Map from its start instead walks past every deleted entry V8 has not yet compacted away.)
    while (rows.size > maxSummaries) {
      const oldKey = String(oldestSeq++);
      const old = rows.get(oldKey);
      if (!old) continue;
      rows.delete(oldKey);
      own.delete(oldKey);
      if (latest.get(old.id) !== oldKey) continue;
      latest.delete(old.id);
      const gone = held.get(old.id);
      if (gone) {
        held.delete(old.id);
        heldBytes -= gone.bytes;
      }
    }
  }

  function detail(id: string, key?: string): DeliveryDetail | undefined {
    const shared = held.get(id)?.detail;
    const mine = key !== undefined && rows.get(key)?.id === id ? own.get(key) : undefined;
    return shared && mine ? { ...shared, ...mine } : shared;
  }

  function keep(entry: JournalEntry): void {
    const bytes = entry.body.length * 2 + 256; // UTF-16 in memory, plus the small fields
    const had = held.get(entry.id);
    if (had) {
      heldBytes -= had.bytes;
      held.delete(entry.id); // re-inserted below: a repeat makes the detail recent again
    }
    // In the journal's field order: the journal download writes a detail as it is.
    const { received_at, id, event, body, headers, key_present } = entry;
    held.set(id, { detail: { received_at, id, event, body, headers, key_present }, bytes });
    heldBytes += bytes;
    // Checked first: starting the iteration costs a walk past the Map's deleted entries.
    if (heldBytes > maxDetailBytes)
      for (const [oldId, old] of held) {
        if (heldBytes <= maxDetailBytes) break;
        held.delete(oldId);
        heldBytes -= old.bytes;
        // Its row changes (it now says the journal has the detail): the page asks for it again.
        const row = rows.get(latest.get(oldId) ?? "");
        if (row) row.rev = ++rev;
      }
  }

  function forward(e: ForwardEvent): void {
    const row = rows.get(latest.get(e.id) ?? "");
    if (!row) return;
    // Fields left undefined are left out of the JSON answer.
    const { url, ok, ms, attempt, final, status, error } = e;
    const response_body = e.response_body?.slice(0, RESPONSE_KEPT);
    const result: ForwardSummary = { url, ok, ms, attempt, final, status, error, response_body };
    const at = row.forwards.findIndex((f) => f.url === e.url);
    if (at >= 0) row.forwards[at] = result;
    else row.forwards.push(result);
    row.rev = ++rev;
  }

  return {
    observe(e) {
      switch (e.type) {
        case "event":
          add({ ...rowStart(e, e.data), answer: e.repeat ? "repeat" : "accepted", status: 200 }, true);
          return;
        case "duplicate":
          add({
            ...rowStart(e, payloadData(held.get(e.id)?.detail.body ?? "")),
            answer: "repeat",
            status: 200,
            reason: "not passed on",
          });
          return;
        case "rejected":
          add({
            id: `refused-${++refused}`,
            received_at: e.received_at,
            event: "",
            answer: "refused",
            status: e.status,
            reason: e.detail ? `${e.reason} (${e.detail})` : e.reason,
          });
          return;
        case "forward":
          forward(e);
          return;
        default:
          return;
      }
    },
    keep,
    addEntry(entry) {
      keep(entry);
      add(
        {
          ...rowStart(entry, payloadData(entry.body)),
          answer: entry.repeat ? "repeat" : "accepted",
          status: 200,
        },
        true,
      );
    },
    summaries(since = 0) {
      const deliveries: SummaryView[] = [];
      // One pass over at most SUMMARY_LIMIT rows (arrival order, which the page keeps too).
      for (const row of rows.values())
        if (row.rev > since) deliveries.push({ ...row, detail: held.has(row.id) });
      return { rev, total: rows.size, deliveries };
    },
    detail,
    whyNoDetail: (id) => (latest.has(id) ? DETAIL_GONE : UNKNOWN_DELIVERY),
    search(text, since = 0) {
      const needle = text.toLowerCase();
      const keys: string[] = [];
      for (const row of rows.values()) {
        if (row.rev <= since) continue;
        const words = [row.event, row.id, row.order_id, row.certificate_id, row.reason].join(" ");
        const body = held.get(row.id)?.detail.body ?? "";
        if (words.toLowerCase().includes(needle) || body.toLowerCase().includes(needle)) keys.push(row.key);
      }
      return keys;
    },
    *details() {
      for (const [key, row] of rows) {
        const d = own.has(key) ? detail(row.id, key) : undefined;
        if (d) yield d;
      }
    },
    get size() {
      return rows.size;
    },
  };
}
