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

/** --since as milliseconds since the epoch. */
function parseSince(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const since = Date.parse(text);
  if (Number.isNaN(since)) {
    throw new UsageError(`--since is not an ISO 8601 time: ${text}`, {
      hint: "e.g. --since 2026-01-31T09:00:00Z",
    });
  }
  return since;
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
