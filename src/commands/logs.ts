// certwh logs: CertCentral's delivery log (GET /webhook/{id}/event-logs) as a table or as JSON.
// Every request names its page (limit, default 1000, and offset); --all follows the offset through
// page.total, bounded so a huge or inconsistent log cannot loop forever. --sort is CertCentral's sort.

import type { EventLogEntry, EventLogPage, EventLogQuery } from "../api/types.js";
import { UsageError } from "../errors.js";
import { findEventType } from "../events/catalogue.js";
import { didYouMean } from "../events/suggest.js";
import { describeFailure, errorDocument, reword } from "../io/exit-codes.js";
import type { Output } from "../io/output.js";
import { printable } from "../util/printable.js";
import { shellLine } from "../util/shell-word.js";
import type { CommandContext } from "./context.js";
import type { LogsFlags } from "./specs/lifecycle.js";
import { requireWebhook } from "./webhook/current.js";

/** CertCentral's maximum (and default) page size. */
const MAX_LIMIT = 1000;
/** --all reads at most this many pages (50 000 entries). */
const MAX_PAGES = 50;

/**
 * request_status values seen in CertCentral's log. The full list is not documented (spec §11), so another
 * value is sent anyway, with a warning: a typo would otherwise look like "no deliveries".
 */
const KNOWN_DELIVERY_STATUSES: readonly string[] = ["success", "failed"];

/** Warn (never fail) about filter values certwh does not recognise. */
function warnAboutFilters(io: Pick<Output, "warn">, filters: Record<string, string>): void {
  const status = filters.request_status;
  if (status !== undefined && !KNOWN_DELIVERY_STATUSES.includes(status)) {
    io.warn(
      `--status ${JSON.stringify(status)} is not a delivery status certwh knows (${KNOWN_DELIVERY_STATUSES.join(", ")}); ` +
        "sending it anyway, since CertCentral does not document the full list.",
    );
  }
  const event = filters.event_name;
  if (event !== undefined && !findEventType(event)) {
    const near = didYouMean(event);
    io.warn(
      `--event ${JSON.stringify(event)} is not an event CertCentral is known to send; sending it anyway.${near ? ` ${near}` : ""}`,
    );
  }
}

interface LogsOptions {
  /** Always sent: --limit, else CertCentral's maximum (and default), 1000. */
  limit: number;
  offset: number;
  filters: Record<string, string>;
  /** CertCentral's sort parameter (spec §2.2): fields, comma-separated, "-" for descending. */
  sort?: string;
  all: boolean;
}

/** "-request_sent_time,event_name": property names, each with an optional leading "-". */
function sortFields(value: string): string {
  const fields = value.split(",").map((f) => f.trim());
  if (fields.some((f) => !/^-?[A-Za-z][A-Za-z0-9_.]*$/.test(f))) {
    throw new UsageError(
      `--sort needs field names, comma-separated, each with an optional leading - for descending (e.g. -request_sent_time), not ${JSON.stringify(value)}.`,
    );
  }
  return fields.join(",");
}

function integer(value: string, flag: string, min: number, max: number): number {
  const n = /^\d+$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(
      `${flag} must be a whole number from ${min} to ${max}, not ${JSON.stringify(value)}.`,
    );
  }
  return n;
}

export function parseLogsOptions(raw: LogsFlags): LogsOptions {
  const filters: Record<string, string> = {};
  if (raw.event !== undefined) {
    if (!raw.event.trim()) throw new UsageError("--event needs an event name.");
    filters.event_name = raw.event.trim();
  }
  if (raw.status !== undefined) {
    if (!raw.status.trim()) throw new UsageError("--status needs a delivery status, e.g. success or failed.");
    filters.request_status = raw.status.trim();
  }
  return {
    limit: raw.limit === undefined ? MAX_LIMIT : integer(raw.limit, "--limit", 1, MAX_LIMIT),
    offset: raw.offset === undefined ? 0 : integer(raw.offset, "--offset", 0, Number.MAX_SAFE_INTEGER),
    filters,
    ...(raw.sort === undefined ? {} : { sort: sortFields(raw.sort) }),
    all: raw.all === true,
  };
}

const ID_LABELS = { order_id: "order", certificate_id: "cert", domain_id: "domain", organization_id: "org" };

/** Short "order 1 cert 2" text from event_info (ids only; other fields stay in --json). */
function describeIds(info: Record<string, unknown> = {}): string {
  return Object.entries(ID_LABELS)
    .filter(([key]) => info[key] !== undefined && info[key] !== null)
    .map(([key, name]) => `${name} ${printable(String(info[key]))}`)
    .join("  ");
}

/** The log as aligned rows; every cell from the API is printable(), so it cannot drive the terminal. */
function formatLogTable(events: EventLogEntry[]): string[] {
  const rows = events.map((e) => [
    printable(String(e.request_sent_time ?? "")),
    printable(String(e.event_name ?? "")),
    printable(String(e.request_status ?? "")),
    e.response_code === undefined ? "-" : printable(String(e.response_code)),
    describeIds(e.event_info),
  ]);
  const header = ["TIME (UTC)", "EVENT", "STATUS", "CODE", "IDS"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i])))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

interface AllPages extends EventLogPage {
  page: EventLogPage["page"] & { pages: number };
  /** Where the rest starts when MAX_PAGES stopped the reading early. */
  more?: number;
  /** A later page failed: the pages before it are kept, and the rest starts at `offset`. */
  failed?: { offset: number; error: unknown };
}

/**
 * --all: every page from --offset on. `page` keeps CertCentral's meaning (the limit each request sent, the
 * first offset) and adds how many pages were read; `more` is set when MAX_PAGES stopped it early.
 */
async function readAll(
  fetchPage: (query: EventLogQuery) => Promise<EventLogPage>,
  opts: LogsOptions,
): Promise<AllPages> {
  const limit = opts.limit;
  const events: EventLogEntry[] = [];
  let offset = opts.offset;
  let total = 0;
  let pages = 0;
  while (pages < MAX_PAGES) {
    let res: EventLogPage;
    try {
      res = await fetchPage({ limit, offset, filters: opts.filters, sort: opts.sort });
    } catch (error) {
      if (pages === 0) throw error;
      return { events, page: { total, limit, offset: opts.offset, pages }, failed: { offset, error } };
    }
    pages++;
    events.push(...res.events);
    total = res.page.total;
    offset += res.events.length;
    if (res.events.length === 0 || offset >= total) break;
  }
  const page = { total, limit, offset: opts.offset, pages };
  return offset < total && pages >= MAX_PAGES ? { events, page, more: offset } : { events, page };
}

/** The logs command that reads the rest from `offset`, with the same filters, page size and sort. */
function resumeCommand(raw: LogsFlags, offset: number): string {
  const words = ["certwh", "logs", "--all", "--offset", String(offset)];
  if (raw.limit !== undefined) words.push("--limit", raw.limit);
  if (raw.event !== undefined) words.push("--event", raw.event);
  if (raw.status !== undefined) words.push("--status", raw.status);
  if (raw.sort !== undefined) words.push("--sort", raw.sort);
  return shellLine(words);
}

export async function run(raw: LogsFlags, ctx: CommandContext): Promise<void> {
  const opts = parseLogsOptions(raw);
  warnAboutFilters(ctx.io, opts.filters);
  const api = await ctx.api();
  const hook = await requireWebhook(api, ctx.signal);
  const fetchPage = (query: EventLogQuery) => api.eventLogs(hook.id, query, { signal: ctx.signal });
  const result: EventLogPage & Pick<AllPages, "more" | "failed"> = opts.all
    ? await readAll(fetchPage, opts)
    : await fetchPage({ limit: opts.limit, offset: opts.offset, filters: opts.filters, sort: opts.sort });
  const { failed, more } = result;
  if (failed) {
    // What was read is kept (as the table, or the document with the error beside it), then the failure.
    const read =
      result.events.length === 1
        ? "The 1 entry read before it is"
        : `The ${result.events.length} entries read before it are`;
    const hint = `${read} shown; the rest: \`${resumeCommand(raw, failed.offset)}\`.`;
    const err = reword(failed.error, { hint, reported: ctx.io.json }, { command: "logs" });
    if (ctx.io.json)
      ctx.io.writeJson({ events: result.events, page: result.page, ...errorDocument(describeFailure(err)) });
    else for (const line of formatLogTable(result.events)) ctx.io.print(line);
    throw err;
  }
  if (more !== undefined) {
    ctx.io.warn(
      `--all stops after ${MAX_PAGES} pages (${result.events.length} entries) of ${result.page.total}; ` +
        `the rest from --offset ${more}.`,
    );
  }
  if (ctx.io.json) {
    ctx.io.writeJson({ events: result.events, page: result.page });
    return;
  }
  if (result.events.length === 0 && opts.offset > 0 && result.page.total > 0) {
    ctx.io.info(
      `No deliveries from --offset ${opts.offset}: the log of webhook ${hook.id} holds ${result.page.total}` +
        `${Object.keys(opts.filters).length ? " with these filters" : ""} (offsets 0 to ${result.page.total - 1}).`,
    );
    return;
  }
  if (result.events.length === 0 && result.page.total > opts.offset) {
    // CertCentral's own count says there is something there: "nothing logged" would be a guess.
    ctx.io.warn(
      `CertCentral's answer says the log of webhook ${hook.id} holds ${result.page.total}, but it sent no entries; run again with --verbose to see its answer.`,
    );
    return;
  }
  if (result.events.length === 0) {
    ctx.io.info(
      `No deliveries logged for webhook ${hook.id}${Object.keys(opts.filters).length ? " with these filters" : ""}.`,
    );
    return;
  }
  for (const line of formatLogTable(result.events)) ctx.io.print(line);
  const shown = result.page.offset + result.events.length;
  if (!opts.all && shown < result.page.total) {
    ctx.io.hint(
      `Showing ${result.events.length} of ${result.page.total}; use --offset ${shown} or --all for more.`,
    );
  }
}
