// Which journal replay reads, and the entries it chooses from it. The journal is streamed, never loaded
// whole: memory stays flat in its size (--limit reads it twice, first to count).

import { stat } from "node:fs/promises";
import { NotFoundError, UsageError } from "../../errors.js";
import type { Output } from "../../io/output.js";
import type { JournalEntry, SkippedLine } from "../../listen/journal.js";
import { type JournalRecord, streamJournal } from "../../listen/journal-read.js";
import { defaultJournalPath } from "../../listen/paths.js";
import { fileKind, notRegular } from "../../util/fs-error.js";
import { adoptFormerJournal } from "../options/journal-move.js";
import type { ParsedReplay } from "./options.js";

/**
 * The verification traffic listen journals: replaying it by default would re-send a (used) challenge
 * token to the app, so it is left out unless --all, an explicit --event or --id names it.
 */
const VERIFICATION_EVENTS: readonly string[] = ["test_webhook_endpoint", "challenge_webhook_endpoint"];

/** A journal id's length (16 hex digits); a shorter --id is a prefix. */
const FULL_ID_LENGTH = 16;

/** Unreadable lines kept for the report (the count goes on beyond). */
const SKIPPED_LINES_KEPT = 1000;

/**
 * The journal to read: --journal, else the default one (a journal left at its former place is moved there
 * first). Checked before anything is sent.
 */
export async function locateJournal(
  selection: ParsedReplay,
  io: Pick<Output, "info" | "warn">,
  env: NodeJS.ProcessEnv,
): Promise<string> {
  if (selection.journal === undefined) await adoptFormerJournal(io, env, "account");
  const path = selection.journal ?? defaultJournalPath(env);
  await checkJournal(path, selection.journal === undefined ? defaultJournalPath(env, "sandbox") : undefined);
  return path;
}

/**
 * The journal is there (else exit 5) and is a regular file (else exit 2), for replay and inspect alike.
 * `sandboxJournal`: the default sandbox journal, named when the default journal is missing and it is not.
 */
export async function checkJournal(path: string, sandboxJournal?: string): Promise<void> {
  const found = await stat(path).catch(async (err: NodeJS.ErrnoException) => {
    const sandboxThere =
      err.code === "ENOENT" &&
      sandboxJournal &&
      (await stat(sandboxJournal).catch(() => undefined))?.isFile();
    throw journalError(
      path,
      err,
      sandboxThere
        ? `\`certwh listen --sandbox\` keeps its made-up events apart, in ${sandboxJournal}: pass it with --journal.`
        : undefined,
    );
  });
  if (!found.isFile()) throw notRegular(path, fileKind(found), { what: "the journal", action: "read" });
}

/** No journal is exit 5, as for `inspect`; one that cannot be read is a bad --journal (exit 2). */
function journalError(path: string, err: unknown, missingHint?: string): UsageError | NotFoundError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === "ENOENT") {
    return new NotFoundError(`No journal at ${path}.`, {
      hint: missingHint ?? "`certwh listen` writes one as events arrive; pass another file with --journal.",
    });
  }
  return new UsageError(`Cannot read the journal ${path}${code ? ` (${code})` : ""}.`);
}

/** An error thrown while the journal was read, as the user should see it. */
export function readError(path: string, err: unknown): unknown {
  // The file system's errors (EACCES, EISDIR, EIO) name the journal; anything else is ours.
  if (/^E[A-Z]+$/.test(String((err as NodeJS.ErrnoException).code))) return journalError(path, err);
  return err;
}

/** The predicate for the filters (event, id, since), and whether an entry is verification traffic left out. */
function selector(s: ParsedReplay) {
  const fullIds = new Set(s.ids.filter((id) => id.length >= FULL_ID_LENGTH));
  const prefixes = s.ids.filter((id) => id.length < FULL_ID_LENGTH);
  const idMatches = (id: string) => fullIds.has(id) || prefixes.some((p) => id.startsWith(p));
  return {
    matches: (e: JournalEntry) =>
      (s.events.size === 0 || s.events.has(e.event)) &&
      (s.ids.length === 0 || idMatches(e.id)) &&
      (s.since === undefined || Date.parse(e.received_at) >= s.since),
    // An id given with --id names its entry, as --event names its event.
    excluded: (e: JournalEntry) =>
      !s.all && !s.events.has(e.event) && s.ids.length === 0 && VERIFICATION_EVENTS.includes(e.event),
  };
}

/** What the selection saw while streaming: for the report at the end. */
export interface ScanStats {
  /** Entries read (from --from-line on). */
  entries: number;
  /** The journal's last line number (0 when empty). */
  lastLine: number;
  /** Verification entries in the window replayed that matched everything else but were left out. */
  skippedVerification: number;
  skippedLines: SkippedLine[];
  skippedLineCount: number;
  tornTail: boolean;
}

export function emptyScanStats(): ScanStats {
  return {
    entries: 0,
    lastLine: 0,
    skippedVerification: 0,
    skippedLines: [],
    skippedLineCount: 0,
    tornTail: false,
  };
}

/**
 * The chosen entries, in journal order, streamed, from the journal as it was when replay started. With
 * --limit or an --id prefix the journal is read twice: first to count the matching entries and check the
 * prefixes (nothing kept, nothing sent yet), then again to pass over all but the last `limit` of them.
 */
export async function* chosenEntries(
  path: string,
  s: ParsedReplay,
  stats: ScanStats,
): AsyncGenerator<{ line: number; entry: JournalEntry }> {
  const { matches, excluded } = selector(s);
  const fromLine = s.fromLine ?? 1;
  const wanted = (r: JournalRecord): r is { line: number; entry: JournalEntry } =>
    r.entry !== undefined && r.line >= fromLine && matches(r.entry) && !excluded(r.entry);
  // The journal as it is now: a listen running on it (perhaps receiving this replay) appends meanwhile.
  const endByte = (await stat(path)).size;
  const prefixes = s.ids.filter((id) => id.length < FULL_ID_LENGTH);
  let passOver = 0;
  if (s.limit !== undefined || prefixes.length > 0) {
    const idsOf = new Map(prefixes.map((p) => [p, new Set<string>()]));
    let count = 0;
    for await (const r of streamJournal(path, endByte)) {
      if (r.entry === undefined) continue;
      for (const [prefix, found] of idsOf) if (r.entry.id.startsWith(prefix)) found.add(r.entry.id);
      if (wanted(r)) count++;
    }
    refuseAmbiguousPrefixes(idsOf);
    if (s.limit !== undefined) passOver = Math.max(0, count - s.limit);
  }
  // The window replayed: from --from-line on, and with --limit from the first entry it keeps. Verification
  // entries before that window would not have been replayed anyway, so they are not counted as skipped.
  let inWindow = passOver === 0;
  for await (const r of streamJournal(path, endByte)) {
    stats.lastLine = r.line;
    if (r.entry === undefined) {
      noteUnreadable(stats, r);
      continue;
    }
    if (r.line < fromLine) continue;
    stats.entries++;
    if (!matches(r.entry)) continue;
    if (excluded(r.entry)) {
      if (inWindow) stats.skippedVerification++;
      continue;
    }
    if (passOver > 0) {
      passOver--;
      continue;
    }
    inWindow = true;
    yield r;
  }
}

/**
 * An --id shorter than a full id that matches different events (`idsOf`: prefix → the ids it matched) is
 * refused, as git refuses an ambiguous prefix: replay sends to real apps, and the user meant one of them.
 */
function refuseAmbiguousPrefixes(idsOf: ReadonlyMap<string, ReadonlySet<string>>): void {
  for (const [prefix, found] of idsOf) {
    if (found.size < 2) continue;
    const shown = [...found].slice(0, 5).join(", ");
    throw new UsageError(
      `--id ${prefix} matches ${found.size} different events (${shown}${found.size > 5 ? ", …" : ""}).`,
      { hint: "Give more of the id, or repeat --id for each event you mean." },
    );
  }
}

/** A line that is not an entry: counted always, kept for the report up to SKIPPED_LINES_KEPT. */
function noteUnreadable(stats: ScanStats, r: { line: number; reason: string; tail: boolean }): void {
  stats.skippedLineCount++;
  if (stats.skippedLines.length < SKIPPED_LINES_KEPT)
    stats.skippedLines.push({ line: r.line, reason: r.reason });
  if (r.tail) stats.tornTail = true;
}
