// certwh replay: re-deliver journaled events (written by listen) to a URL (--to) and/or run a command per
// event (--exec, listen's contract: event JSON on stdin, CERTWH_* in the environment, no shell), one event
// at a time, oldest first. The journal is streamed, never loaded whole: memory stays flat in its size
// (--limit reads it twice, first to count). The journal never holds the webhook secret, so X-WEBHOOK-KEY is
// sent only when --secret-file or --secret-env provides one. One attempt per event: replay is a manual
// action, the user sees each result. An interrupted replay says what was not sent and how to resume.

import { stat } from "node:fs/promises";
import { NotFoundError, RefusedError, UsageError } from "../errors.js";
import { findEventType } from "../events/catalogue.js";
import { didYouMean } from "../events/suggest.js";
import { childEnv } from "../listen/dispatch.js";
import {
  createExecRunner,
  EXEC_STOPPED,
  type ExecReport,
  type ExecResult,
  type ExecRunner,
  execReport,
  splitCommand,
} from "../listen/exec.js";
import { createForwarder, type Forwarder, type ForwardResult } from "../listen/forward.js";
import type { JournalEntry, SkippedLine } from "../listen/journal.js";
import { type JournalRecord, streamJournal } from "../listen/journal-read.js";
import { defaultJournalPath } from "../listen/paths.js";
import { printable } from "../util/printable.js";
import { shellLine } from "../util/shell-word.js";
import { userAgent } from "../util/version.js";
import type { CommandContext } from "./context.js";
import { parseHttpUrl, parsePositiveInteger } from "./options/flag-values.js";
import { warnIfCleartextKey } from "./options/flag-warnings.js";
import { adoptFormerJournal } from "./options/journal-move.js";
import { resolveSecret } from "./options/secret-source.js";
import { parseSecretSource, type SecretSource } from "./options/webhook-flags.js";
import type { ReplayFlags } from "./specs/listen.js";

/**
 * The verification traffic listen journals: replaying it by default would re-send a (used) challenge
 * token to the app, so it is left out unless --all or an explicit --event names it.
 */
export const VERIFICATION_EVENTS: readonly string[] = ["test_webhook_endpoint", "challenge_webhook_endpoint"];

/** Unreadable lines kept for the report (the count goes on beyond). */
const SKIPPED_LINES_KEPT = 1000;

interface ReplayResult {
  id: string;
  event: string;
  received_at: string;
  /** Line of the journal the entry is on. */
  line: number;
  /** Every action for the entry succeeded. */
  ok: boolean;
  /** With --to: the answer's status, or `error`. */
  status?: number;
  ms: number;
  error?: string;
  /** With --exec: how the command ended. */
  exec?: ExecReport;
}

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

/** --event names must be events CertCentral sends: a typo would otherwise just match nothing. */
function checkEventNames(names: string[]): void {
  for (const name of names) {
    if (findEventType(name)) continue;
    const near = didYouMean(name);
    throw new UsageError(`Unknown event for --event: ${JSON.stringify(name)}.`, {
      hint: near
        ? `${near} (\`certwh event-types --all\` lists them.)`
        : "`certwh event-types --all` lists them.",
    });
  }
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
  const secret = parseSecretSource(
    { secretFile: opts.secretFile, secretEnv: opts.secretEnv },
    { allowRemove: false },
  );
  checkEventNames(opts.event ?? []);
  let since: number | undefined;
  if (opts.since !== undefined) {
    since = Date.parse(opts.since);
    if (Number.isNaN(since)) {
      throw new UsageError(`--since is not an ISO 8601 time: ${opts.since}`, {
        hint: "e.g. --since 2026-01-31T09:00:00Z",
      });
    }
  }
  return {
    to: url?.toString(),
    exec,
    journal: opts.journal,
    events: new Set(opts.event ?? []),
    ids: opts.id ?? [],
    since,
    sinceText: opts.since,
    limit: parsePositiveInteger("--limit", opts.limit),
    fromLine: parsePositiveInteger("--from-line", opts.fromLine),
    secret,
    all: opts.all === true,
  };
}

/**
 * The journal is there and is a file: checked before anything is sent, so the user gets a usage error.
 * `sandboxJournal`: the default sandbox journal, named when the default journal is missing and it is not.
 */
async function checkJournal(path: string, sandboxJournal?: string): Promise<void> {
  try {
    const s = await stat(path);
    if (s.isFile()) return;
    throw Object.assign(new Error("not a file"), { code: "EISDIR" });
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === "ENOENT";
    if (missing && sandboxJournal && (await stat(sandboxJournal).catch(() => undefined))?.isFile()) {
      throw new UsageError(`No journal at ${path}.`, {
        hint: `\`certwh listen --sandbox\` keeps its made-up events apart, in ${sandboxJournal}: pass it with --journal.`,
      });
    }
    throw journalError(path, err);
  }
}

function journalError(path: string, err: unknown): UsageError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === "ENOENT") {
    return new UsageError(`No journal at ${path}.`, {
      hint: "`certwh listen` writes one as events arrive; pass another file with --journal.",
    });
  }
  return new UsageError(`Cannot read the journal ${path}${code ? ` (${code})` : ""}.`);
}

/** The predicate for the filters (event, id, since), and whether an entry is verification traffic left out. */
function selector(s: ParsedReplay) {
  const fullIds = new Set(s.ids.filter((id) => id.length >= 16));
  const prefixes = s.ids.filter((id) => id.length < 16);
  const idMatches = (id: string) => fullIds.has(id) || prefixes.some((p) => id.startsWith(p));
  return {
    matches: (e: JournalEntry) =>
      (s.events.size === 0 || s.events.has(e.event)) &&
      (s.ids.length === 0 || idMatches(e.id)) &&
      (s.since === undefined || Date.parse(e.received_at) >= s.since),
    excluded: (e: JournalEntry) => !s.all && !s.events.has(e.event) && VERIFICATION_EVENTS.includes(e.event),
  };
}

/** What the selection saw while streaming: for the report at the end. */
interface ScanStats {
  /** Entries read (from --from-line on). */
  entries: number;
  /** Verification entries that matched everything else but were left out. */
  skippedVerification: number;
  skippedLines: SkippedLine[];
  skippedLineCount: number;
  tornTail: boolean;
}

/**
 * The chosen entries, in journal order, streamed. With --limit the journal is read twice: once to count
 * the matching entries (nothing kept), then again to pass over all but the last `limit` of them.
 */
async function* chosenEntries(
  path: string,
  s: ParsedReplay,
  stats: ScanStats,
): AsyncGenerator<{ line: number; entry: JournalEntry }> {
  const { matches, excluded } = selector(s);
  const fromLine = s.fromLine ?? 1;
  const wanted = (r: JournalRecord): r is { line: number; entry: JournalEntry } =>
    r.entry !== undefined && r.line >= fromLine && matches(r.entry) && !excluded(r.entry);
  let passOver = 0;
  if (s.limit !== undefined) {
    let count = 0;
    for await (const r of streamJournal(path)) if (wanted(r)) count++;
    passOver = Math.max(0, count - s.limit);
  }
  for await (const r of streamJournal(path)) {
    if (r.entry === undefined) {
      stats.skippedLineCount++;
      if (stats.skippedLines.length < SKIPPED_LINES_KEPT)
        stats.skippedLines.push({ line: r.line, reason: r.reason });
      if (r.tail) stats.tornTail = true;
      continue;
    }
    if (r.line < fromLine) continue;
    stats.entries++;
    if (!matches(r.entry)) continue;
    if (excluded(r.entry)) {
      stats.skippedVerification++;
      continue;
    }
    if (passOver > 0) {
      passOver--;
      continue;
    }
    yield r;
  }
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

/** A promise with its resolve function outside: one per action on one entry. */
function settle<T>() {
  let resolve: (value: T) => void = () => undefined;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** How an action cut short by the interruption is described to the user. */
const NOT_SENT = "not sent: replay was interrupted";
const CUT_SHORT_POST = "no answer: replay was interrupted while sending it (the app may have received it)";
const CUT_SHORT_EXEC = "stopped: replay was interrupted while the command ran";

export async function run(
  opts: ReplayFlags,
  ctx: Pick<CommandContext, "io" | "env" | "signal" | "clock" | "settings">,
): Promise<void> {
  const { io } = ctx;
  const selection = parseReplayOptions(opts);
  const secret = (await resolveSecret(selection.secret, ctx.env, { signal: ctx.signal })).value;
  if (selection.to) warnIfCleartextKey(ctx.io, "--to", selection.to, secret !== undefined);
  // --request-timeout, CERTWH_REQUEST_TIMEOUT or the profile; no API key is needed.
  const timeoutMs = (await ctx.settings()).requestTimeoutMs;

  if (selection.journal === undefined) await adoptFormerJournal(io, ctx.env, "account");
  const path = selection.journal ?? defaultJournalPath(ctx.env);
  await checkJournal(
    path,
    selection.journal === undefined ? defaultJournalPath(ctx.env, "sandbox") : undefined,
  );

  // Each action resolves the promise of the entry it is working on.
  let posted = settle<ForwardResult>();
  let ran = settle<ExecResult>();
  const forwarder: Forwarder | undefined = selection.to
    ? createForwarder({
        url: selection.to,
        clock: ctx.clock,
        maxAttempts: 1,
        attemptCeiling: 1,
        concurrency: 1, // one at a time, in journal order
        timeoutMs,
        queueLimit: 1,
        onResult: (r) => {
          if (r.final) posted.resolve(r);
        },
      })
    : undefined;
  const runner: ExecRunner | undefined = selection.exec
    ? createExecRunner({
        command: selection.exec.argv,
        clock: ctx.clock,
        concurrency: 1,
        queueLimit: 1,
        // Like listen's --exec: no API keys, and not the secret replay sends.
        env: childEnv(ctx.env, secret),
        onResult: (r) => ran.resolve(r),
      })
    : undefined;
  const headers = {
    "content-type": "application/json",
    "user-agent": userAgent(),
    ...(secret !== undefined ? { "x-webhook-key": secret } : {}),
  };

  const stats: ScanStats = {
    entries: 0,
    skippedVerification: 0,
    skippedLines: [],
    skippedLineCount: 0,
    tornTail: false,
  };
  const tally = { entries: 0, delivered: 0, failed: 0, execOk: 0, execFailed: 0 };
  const results: ReplayResult[] = [];
  let interruptedAt: { line: number; entry: JournalEntry; reason: string } | undefined;

  const onAbort = () => {
    void forwarder?.close();
    void runner?.close();
  };
  ctx.signal.addEventListener("abort", onAbort, { once: true });
  try {
    for await (const { line, entry } of chosenEntries(path, selection, stats)) {
      if (ctx.signal.aborted) {
        interruptedAt = { line, entry, reason: NOT_SENT };
        break;
      }
      tally.entries++;
      const result: ReplayResult = {
        id: entry.id,
        event: entry.event,
        received_at: entry.received_at,
        line,
        ok: true,
        ms: 0,
      };
      if (forwarder) {
        posted = settle<ForwardResult>();
        forwarder.enqueue({
          id: entry.id,
          event: entry.event,
          body: Buffer.from(entry.body, "utf8"),
          headers,
        });
        const r = await posted.promise;
        if (ctx.signal.aborted && !r.ok) {
          interruptedAt = { line, entry, reason: r.attempt === 0 ? NOT_SENT : CUT_SHORT_POST };
          break;
        }
        Object.assign(result, {
          ok: r.ok,
          status: r.status,
          ms: r.ms,
          error: r.error ?? (r.ok ? undefined : `HTTP ${r.status}`),
        });
        if (r.ok) tally.delivered++;
        else tally.failed++;
        sayPosted(entry, r);
      }
      if (runner) {
        if (ctx.signal.aborted) {
          interruptedAt = { line, entry, reason: NOT_SENT };
          break;
        }
        ran = settle<ExecResult>();
        runner.enqueue({ id: entry.id, event: entry.event, body: entry.body, data: dataOf(entry.body) });
        const r = await ran.promise;
        if (ctx.signal.aborted && !r.ok) {
          interruptedAt = { line, entry, reason: r.error === EXEC_STOPPED ? CUT_SHORT_EXEC : NOT_SENT };
          break;
        }
        result.exec = execReport(r);
        if (!forwarder) result.ms = r.ms;
        result.ok &&= r.ok;
        if (r.ok) tally.execOk++;
        else tally.execFailed++;
        sayRan(entry, r);
      }
      if (io.json) results.push(result);
    }
  } catch (err) {
    // The file system's errors (EACCES, EISDIR, EIO) name the journal; anything else is ours.
    if (/^E[A-Z]+$/.test(String((err as NodeJS.ErrnoException).code))) throw journalError(path, err);
    throw err;
  } finally {
    ctx.signal.removeEventListener("abort", onAbort);
    await Promise.all([forwarder?.close(), runner?.close()]);
  }

  reportScan();
  // --id names events: an id the journal does not hold is a mistake, not an empty selection.
  if (selection.ids.length > 0 && tally.entries === 0 && !interruptedAt && !ctx.signal.aborted) {
    throw new NotFoundError(`No journal entry in ${path} has the id ${selection.ids.join(" or ")}.`, {
      hint: "An id is the `id` of listen's --json event line and of its journal entry (a prefix works too).",
    });
  }
  const resume = interruptedAt ? resumeCommand(selection, path, interruptedAt.line) : undefined;
  if (interruptedAt && !io.json) {
    const { entry, reason } = interruptedAt;
    io.error(`[interrupted] ${describe(entry)}: ${reason}.`);
    io.warn(
      `Replay was interrupted after ${tally.entries} event(s); this one and the rest of the journal were not replayed.`,
    );
    io.hint(`Resume with: ${resume}`);
  }
  if (io.json) {
    io.writeJson({
      ...(forwarder ? { delivered: tally.delivered, failed: tally.failed } : {}),
      ...(runner ? { exec_ok: tally.execOk, exec_failed: tally.execFailed } : {}),
      results,
      ...(stats.skippedVerification > 0 ? { skipped_verification_events: stats.skippedVerification } : {}),
      ...(stats.skippedLineCount > 0 ? { skipped_lines: stats.skippedLines } : {}),
      ...(interruptedAt
        ? {
            interrupted: true,
            not_replayed_from: {
              line: interruptedAt.line,
              id: interruptedAt.entry.id,
              event: interruptedAt.entry.event,
              received_at: interruptedAt.entry.received_at,
              reason: interruptedAt.reason,
            },
            resume,
          }
        : {}),
    });
  }
  // Interrupted: main turns the signal into exit 130/143; what was done is already said.
  if (interruptedAt || ctx.signal.aborted) return;

  const failures = [
    forwarder && tally.failed > 0
      ? `${tally.failed} of ${tally.entries} deliveries to ${selection.to} failed`
      : "",
    runner && tally.execFailed > 0
      ? `${tally.execFailed} of ${tally.entries} runs of the command failed`
      : "",
  ].filter(Boolean);
  if (failures.length > 0) {
    throw new RefusedError(`${failures.join("; ")}.`, {
      code: "replay_failed",
      hint: forwarder
        ? "Is the app running and answering 2xx? The journal is unchanged, so you can replay again."
        : "The journal is unchanged, so you can run them again once the command is fixed.",
      reported: true,
    });
  }
  if (!io.json && tally.entries > 0) {
    const n = `${tally.entries} event${tally.entries === 1 ? "" : "s"}`;
    io.success(
      forwarder && runner
        ? `Replayed ${n} to ${selection.to} and through the command.`
        : forwarder
          ? `Replayed ${n} to ${selection.to}.`
          : `Ran the command for ${n}.`,
    );
  }

  function describe(entry: JournalEntry): string {
    return `${printable(entry.event)} ${entry.id} (received ${entry.received_at})`;
  }

  function sayPosted(entry: JournalEntry, r: ForwardResult): void {
    if (io.json) return;
    const label = r.status !== undefined ? String(r.status) : (r.error ?? "failed");
    const line = `[${label}] ${describe(entry)} → ${selection.to} (${r.ms} ms)`;
    if (r.ok) io.info(line);
    else io.error(line);
  }

  function sayRan(entry: JournalEntry, r: ExecResult): void {
    if (io.json) return;
    const label = r.error ?? (r.timedOut ? "timeout" : `exit ${r.exitCode ?? r.signal}`);
    const line = `[${label}] exec for ${describe(entry)} (${r.ms} ms)`;
    if (r.ok) io.info(line);
    else {
      io.error(line);
      if (r.stderrTail.trim()) io.hint(r.stderrTail.trim().split("\n").slice(-3).join("\n  "));
    }
  }

  function reportScan(): void {
    if (stats.skippedLineCount > 0) {
      const shown = stats.skippedLines
        .slice(0, 5)
        .map((s) => `line ${s.line} (${s.reason})`)
        .join(", ");
      const more = stats.skippedLineCount > 5 ? `, and ${stats.skippedLineCount - 5} more` : "";
      io.warn(`Skipped ${stats.skippedLineCount} unreadable line(s) in ${path}: ${shown}${more}.`);
      if (stats.tornTail) io.hint("The last line was cut short, probably by a crash while it was written.");
    }
    const skipped = stats.skippedVerification;
    if (skipped > 0) {
      io.info(
        `Skipped ${skipped} test/challenge ${skipped === 1 ? "entry" : "entries"} (test_webhook_endpoint, ` +
          "challenge_webhook_endpoint); --all or --event <name> includes them.",
      );
    }
    if (tally.entries === 0 && !interruptedAt)
      io.warn(`No journal entries match (${stats.entries} in ${path}).`);
  }
}

/** The payload's `data`, for CERTWH_ORDER_ID and CERTWH_CERTIFICATE_ID (as listen gives them). */
function dataOf(body: string): unknown {
  try {
    return (JSON.parse(body) as { data?: unknown }).data;
  } catch {
    return undefined;
  }
}
