// What replay says once the entries are done: what the scan passed over, where an interruption stopped it
// and how to resume, the --json document, and the exit code (failures are an error, already reported).

import { InterruptedError, interruptMessage, NotFoundError, RefusedError } from "../../errors.js";
import { describeFailure, errorDocument } from "../../io/exit-codes.js";
import type { Output } from "../../io/output.js";
import type { ScanStats } from "./journal-scan.js";
import { type ParsedReplay, resumeCommand } from "./options.js";
import { describe, type Interruption, type ReplayOutcome, type Tally } from "./replay-entries.js";

/** What the `error` object of the document is made of. */
type JsonError = Parameters<typeof errorDocument>[0];

interface ReplayReport {
  io: Output;
  selection: ParsedReplay;
  journalPath: string;
  stats: ScanStats;
  outcome: ReplayOutcome;
  signal: AbortSignal;
}

/** Everything said after the replay, in order; throws when the replay failed (exit code). */
export function reportReplay(report: ReplayReport): void {
  const { io, selection, journalPath, outcome, signal } = report;
  const { tally, interruptedAt } = outcome;
  reportScan(io, journalPath, report.stats, tally.entries === 0 && !interruptedAt, selection.fromLine);
  // --id names events: an id the journal does not hold is a mistake, not an empty selection.
  if (selection.ids.length > 0 && tally.entries === 0 && !interruptedAt && !signal.aborted) {
    throw new NotFoundError(`No journal entry in ${journalPath} has the id ${selection.ids.join(" or ")}.`, {
      hint: "An id is the `id` of listen's --json event line and of its journal entry (a prefix works too).",
    });
  }
  const resume = interruptedAt ? resumeCommand(selection, journalPath, interruptedAt.line) : undefined;
  // On stderr with --json too: the human message goes there whatever stdout carries.
  if (interruptedAt) sayInterrupted(io, interruptedAt, tally.entries, resume);
  // Interrupted: main turns the signal into exit 130/143; what was done is already said.
  const failure = interruptedAt || signal.aborted ? undefined : replayFailure(selection, tally);
  if (io.json) {
    const error = failure
      ? { exitCode: failure.exitCode, code: "replay_failed", message: failure.message }
      : signal.aborted
        ? interruption(signal)
        : undefined;
    writeJsonReport(report, resume, error);
  }
  if (failure) throw failure;
  if (!io.json && !interruptedAt && !signal.aborted && tally.entries > 0)
    saySucceeded(io, selection, tally.entries);
}

/** Lines the scan passed over, and the warning when nothing matched. */
function reportScan(
  io: Output,
  path: string,
  stats: ScanStats,
  noneMatched: boolean,
  fromLine: number | undefined,
): void {
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
  if (noneMatched && fromLine !== undefined && fromLine > stats.lastLine)
    io.warn(`--from-line ${fromLine} is past the end of ${path} (its last line is ${stats.lastLine}).`);
  else if (noneMatched) io.warn(`No journal entries match (${stats.entries} in ${path}).`);
}

function sayInterrupted(io: Output, at: Interruption, entries: number, resume: string | undefined): void {
  io.error(`[interrupted] ${describe(at.entry)}: ${at.reason}.`);
  io.warn(
    `Replay was interrupted after ${entries} event(s); this one and the rest of the journal were not replayed.`,
  );
  io.hint(`Resume with: ${resume}`);
}

/**
 * The interruption as the `error` object of every interrupted command (exit 130 SIGINT, 143 SIGTERM), the
 * exit code main gives it; the signal's reason is always an InterruptedError when main aborted it.
 */
function interruption(signal: AbortSignal): JsonError {
  const reason = signal.reason;
  return describeFailure(
    reason instanceof InterruptedError ? reason : new InterruptedError("SIGINT", interruptMessage("SIGINT")),
  );
}

/**
 * The results document; a failed or interrupted replay also carries the `error` object every failing command
 * prints.
 */
function writeJsonReport(
  { io, selection, stats, outcome }: ReplayReport,
  resume: string | undefined,
  error: JsonError | undefined,
): void {
  const { tally, interruptedAt } = outcome;
  io.writeJson({
    ...(error ? errorDocument(error) : {}),
    ...(selection.to ? { delivered: tally.delivered, failed: tally.failed } : {}),
    ...(selection.exec ? { exec_ok: tally.execOk, exec_failed: tally.execFailed } : {}),
    results: outcome.results,
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

/** Any failed delivery or run makes the exit code; the lines before already named which. */
function replayFailure(selection: ParsedReplay, tally: Tally): RefusedError | undefined {
  const failures = [
    selection.to && tally.failed > 0
      ? `${tally.failed} of ${tally.entries} deliveries to ${selection.to} failed`
      : "",
    selection.exec && tally.execFailed > 0
      ? `${tally.execFailed} of ${tally.entries} runs of the command failed`
      : "",
  ].filter(Boolean);
  if (failures.length === 0) return undefined;
  return new RefusedError(`${failures.join("; ")}.`, {
    code: "replay_failed",
    hint: selection.to
      ? "Is the app running and answering 2xx? The journal is unchanged, so you can replay again."
      : "The journal is unchanged, so you can run them again once the command is fixed.",
    reported: true,
  });
}

function saySucceeded(io: Output, selection: ParsedReplay, entries: number): void {
  const n = `${entries} event${entries === 1 ? "" : "s"}`;
  io.success(
    selection.to && selection.exec
      ? `Replayed ${n} to ${selection.to} and through the command.`
      : selection.to
        ? `Replayed ${n} to ${selection.to}.`
        : `Ran the command for ${n}.`,
  );
}
