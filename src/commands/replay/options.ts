// replay's flags, checked before the journal is read; and the command line that resumes an interrupted
// replay with the same selection.

import { UsageError } from "../../errors.js";
import { splitCommand } from "../../listen/exec.js";
import { shellLine } from "../../util/shell-word.js";
import { checkEventName, parseHttpUrl, parsePositiveInteger } from "../options/flag-values.js";
import { parseSecretSource, type SecretSource } from "../options/webhook-flags.js";
import type { ReplayFlags } from "../specs/listen.js";

/** What to replay, where, and with which secret: every flag checked before the journal is read. */
export interface ParsedReplay {
  to?: string;
  /** --exec as the user wrote it (for the resume command) and as argv. */
  exec?: { command: string; argv: string[] };
  /** undefined → the default journal path. */
  journal?: string;
  events: Set<string>;
  ids: string[];
  since?: number;
  /** As given, for the resume command. */
  sinceText?: string;
  limit?: number;
  /** Start at this line of the journal (1-based): where an interrupted replay resumes. */
  fromLine?: number;
  secret: SecretSource;
  /** Include test_webhook_endpoint and challenge_webhook_endpoint entries. */
  all: boolean;
}

export function parseReplayOptions(opts: ReplayFlags): ParsedReplay {
  const [to, ...more] = opts.to ?? [];
  if (!to && opts.exec === undefined) {
    throw new UsageError("--to is required (or --exec): the URL to deliver the events to.", {
      hint: "e.g. certwh replay --to http://localhost:3000/webhooks, or certwh replay --exec './handle-event.sh'",
    });
  }
  // One target per run, so each run's exit code and summary speak of one app (listen names one per target).
  if (more.length > 0)
    throw new UsageError(
      `replay delivers to one --to per run (got ${more.length + 1}); run it once per URL.`,
    );
  const url = to ? parseHttpUrl("--to", to) : undefined;
  const exec = opts.exec !== undefined ? { command: opts.exec, argv: splitCommand(opts.exec) } : undefined;
  const secret = parseSecretSource(opts, { allowRemove: false });
  // A misspelt --event would otherwise just match nothing.
  for (const name of opts.event ?? [])
    checkEventName(name, `Unknown event for --event: ${JSON.stringify(name)}.`);
  // An unset shell variable (`--id "$ID"`) must not widen the selection to the whole journal.
  if ((opts.id ?? []).some((id) => id.trim() === ""))
    throw new UsageError(
      "--id is empty: give an event id or a prefix of one (an empty one would match every event).",
    );
  return {
    to: url?.toString(),
    exec,
    journal: opts.journal,
    events: new Set(opts.event ?? []),
    ids: opts.id ?? [],
    since: parseSince(opts.since),
    sinceText: opts.since,
    limit: parsePositiveInteger("--limit", opts.limit),
    fromLine: parsePositiveInteger("--from-line", opts.fromLine),
    secret,
    all: opts.all === true,
  };
}

/** A date, optionally with a time and a zone: what `received_at` and certwh's own UTC times look like. */
const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})(T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/** Whether the calendar has this day (Date.parse rolls 2026-02-30 over into March). */
function dayExists(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/**
 * --since as milliseconds since the epoch. ISO 8601 only: Date.parse alone also takes "0" or "-1", and
 * a --since that quietly means 1970 replays everything. A time without a zone is UTC, as certwh prints times.
 */
function parseSince(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const m = ISO_TIME.exec(text);
  if (m && dayExists(Number(m[1]), Number(m[2]), Number(m[3]))) {
    const since = Date.parse(m[4] !== undefined && m[5] === undefined ? `${text}Z` : text);
    if (!Number.isNaN(since)) return since;
  }
  throw new UsageError(`--since is not an ISO 8601 time: ${text}`, {
    hint: "e.g. --since 2026-01-31T09:00:00Z, or --since 2026-01-31 (a time without a zone is UTC)",
  });
}

/** The command that replays what is left, from `line` on (the same selection, without --limit). */
export function resumeCommand(s: ParsedReplay, journalPath: string, line: number): string {
  const words = ["certwh", "replay", "--journal", journalPath];
  if (s.to) words.push("--to", s.to);
  if (s.exec) words.push("--exec", s.exec.command);
  for (const e of s.events) words.push("--event", e);
  for (const id of s.ids) words.push("--id", id);
  if (s.sinceText !== undefined) words.push("--since", s.sinceText);
  if (s.all) words.push("--all");
  if (s.secret.kind === "env") words.push("--secret-env", s.secret.name);
  if (s.secret.kind === "file") words.push("--secret-file", s.secret.path);
  words.push("--from-line", String(line));
  return shellLine(words);
}
