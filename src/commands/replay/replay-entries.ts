// The replay itself: the chosen entries one at a time, oldest first, each through --to and then --exec.
// An interruption (SIGINT, SIGTERM) stops it at an entry; that entry is where the resume command starts.

import type { Output } from "../../io/output.js";
import { EXEC_STOPPED, type ExecReport, type ExecResult, execReport } from "../../listen/exec.js";
import type { ForwardResult } from "../../listen/forward.js";
import { forwardErrorWords } from "../../listen/forward-errors.js";
import type { JournalEntry } from "../../listen/journal.js";
import { printable } from "../../util/printable.js";
import type { CommandRunner, Poster } from "./actions.js";
import { readError } from "./journal-scan.js";

/** One replayed entry, as --json reports it. */
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

/** The counts the summary and the exit code are made of. */
export interface Tally {
  entries: number;
  delivered: number;
  failed: number;
  execOk: number;
  execFailed: number;
}

/** Where the interruption stopped the replay: the first entry not replayed (or not fully), and why. */
export interface Interruption {
  line: number;
  entry: JournalEntry;
  reason: string;
}

export interface ReplayOutcome {
  tally: Tally;
  /** With --json only (without it, each result was said as it came). */
  results: ReplayResult[];
  interruptedAt?: Interruption;
}

/** The actions chosen by --to and --exec. */
interface ReplayActions {
  poster?: Poster;
  runner?: CommandRunner;
}

/** How an action cut short by the interruption is described to the user (the README quotes each). */
export const INTERRUPTED_WORDS = {
  notSent: "not sent: replay was interrupted",
  cutShortPost: "no answer: replay was interrupted while sending it (the app may have received it)",
  cutShortExec: "stopped: replay was interrupted while the command ran",
} as const;
const { notSent: NOT_SENT, cutShortPost: CUT_SHORT_POST, cutShortExec: CUT_SHORT_EXEC } = INTERRUPTED_WORDS;

/** Replays `entries` in order, until they end or the interruption stops it. */
export async function replayEntries(
  entries: AsyncIterable<{ line: number; entry: JournalEntry }>,
  actions: ReplayActions,
  context: { io: Output; signal: AbortSignal; journalPath: string },
): Promise<ReplayOutcome> {
  const { signal } = context;
  const replayer = createEntryReplayer(actions, context);
  let interruptedAt: Interruption | undefined;
  // Closing ends the post or command under way at once, instead of waiting for it.
  const onAbort = () => {
    void actions.poster?.close();
    void actions.runner?.close();
  };
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    for await (const { line, entry } of entries) {
      const reason = await replayer.replay(line, entry);
      if (reason !== undefined) {
        interruptedAt = { line, entry, reason };
        break;
      }
    }
  } catch (err) {
    throw readError(context.journalPath, err);
  } finally {
    signal.removeEventListener("abort", onAbort);
    await Promise.all([actions.poster?.close(), actions.runner?.close()]);
  }
  return { tally: replayer.tally, results: replayer.results, interruptedAt };
}

function createEntryReplayer(actions: ReplayActions, { io, signal }: { io: Output; signal: AbortSignal }) {
  const tally: Tally = { entries: 0, delivered: 0, failed: 0, execOk: 0, execFailed: 0 };
  const results: ReplayResult[] = [];

  async function post(poster: Poster, entry: JournalEntry, result: ReplayResult) {
    const r = await poster.post(entry);
    // A failure caused by the interruption is not the app's: it is reported as such, not as a result.
    if (signal.aborted && !r.ok) return r.attempt === 0 ? NOT_SENT : CUT_SHORT_POST;
    Object.assign(result, {
      ok: r.ok,
      status: r.status,
      ms: r.ms,
      error: r.error ?? (r.ok ? undefined : `HTTP ${r.status}`),
    });
    if (r.ok) tally.delivered++;
    else tally.failed++;
    sayPosted(io, poster.url, entry, r);
    return undefined;
  }

  async function runCommand(runner: CommandRunner, entry: JournalEntry, result: ReplayResult) {
    const r = await runner.run(entry);
    if (signal.aborted && !r.ok) return r.error === EXEC_STOPPED ? CUT_SHORT_EXEC : NOT_SENT;
    result.exec = execReport(r);
    // With --to, `ms` stays the post's; the command's own time is in `exec`.
    if (!actions.poster) result.ms = r.ms;
    result.ok &&= r.ok;
    if (r.ok) tally.execOk++;
    else tally.execFailed++;
    sayRan(io, entry, r);
    return undefined;
  }

  /** Runs the actions on one entry: undefined when done, else why the interruption cut it short. */
  async function replay(line: number, entry: JournalEntry): Promise<string | undefined> {
    if (signal.aborted) return NOT_SENT;
    const result = startResult(line, entry);
    if (actions.poster) {
      const cutShort = await post(actions.poster, entry, result);
      if (cutShort !== undefined) return cutShort;
    }
    if (actions.runner) {
      // Interrupted during the post: the command is not started for an entry the resume will send again.
      if (signal.aborted) return NOT_SENT;
      const cutShort = await runCommand(actions.runner, entry, result);
      if (cutShort !== undefined) return cutShort;
    }
    // Counted once its actions are done: the entry an interruption cut short is not one of them.
    tally.entries++;
    if (io.json) results.push(result);
    return undefined;
  }

  return { tally, results, replay };
}

/** An entry's result before its actions: ok until one fails. */
function startResult(line: number, entry: JournalEntry): ReplayResult {
  return { id: entry.id, event: entry.event, received_at: entry.received_at, line, ok: true, ms: 0 };
}

// The line said for each action on an entry, as it happens (nothing with --json: the results go into the one
// JSON document at the end).

/** An entry as the user's lines name it. */
export function describe(entry: JournalEntry): string {
  return `${printable(entry.event)} ${entry.id} (received ${entry.received_at})`;
}

function sayPosted(io: Output, to: string, entry: JournalEntry, r: ForwardResult): void {
  if (io.json) return;
  const label = r.status !== undefined ? String(r.status) : forwardErrorWords(r.error ?? "failed");
  // Why the app refused, under its line, as listen shows it.
  const said =
    r.responseBody !== undefined
      ? `\n  | ${printable(r.responseBody.trim()) || "(empty body)"}${r.responseTruncated ? " …(cut at 512 bytes)" : ""}`
      : "";
  const line = `[${label}] ${describe(entry)} → ${to} (${r.ms} ms)${said}`;
  if (r.ok) io.info(line);
  else io.error(line);
}

function sayRan(io: Output, entry: JournalEntry, r: ExecResult): void {
  if (io.json) return;
  const label = r.error ?? (r.timedOut ? "timeout" : `exit ${r.exitCode ?? r.signal}`);
  // What the command printed, under its line as listen shows it (the last few KiB).
  const cut = r.stdoutCut ? "…(earlier output cut: its last 2 KiB)\n" : "";
  const output = r.stdoutTail.trim() ? `\n${`${cut}${r.stdoutTail.trimEnd()}`.replace(/^/gm, "  | ")}` : "";
  const line = `[${label}] exec for ${describe(entry)} (${r.ms} ms)${output}`;
  if (r.ok) io.info(line);
  else {
    io.error(line);
    // The end of its stderr usually says why the command failed.
    if (r.stderrTail.trim()) io.hint(r.stderrTail.trim().split("\n").slice(-3).join("\n  "));
  }
}
