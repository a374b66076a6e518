// certwh replay: re-deliver journaled events (written by listen) to a URL (--to) and/or run a command per
// event (--exec, listen's contract: event JSON on stdin, CERTWH_* in the environment, no shell), one event
// at a time, oldest first. The journal is streamed, never loaded whole: memory stays flat in its size
// (--limit reads it twice, first to count). The journal never holds the webhook secret, so X-WEBHOOK-KEY is
// sent only when --secret-file or --secret-env provides one. One attempt per event: replay is a manual
// action, the user sees each result. An interrupted replay says what was not sent and how to resume.

import { NotFoundError, RefusedError } from "../errors.js";
import { childEnv } from "../listen/dispatch.js";
import {
  createExecRunner,
  EXEC_STOPPED,
  type ExecReport,
  type ExecResult,
  type ExecRunner,
  execReport,
} from "../listen/exec.js";
import { createForwarder, type Forwarder, type ForwardResult } from "../listen/forward.js";
import type { JournalEntry } from "../listen/journal.js";
import { printable } from "../util/printable.js";
import { userAgent } from "../util/version.js";
import type { CommandContext } from "./context.js";
import { warnIfCleartextKey } from "./options/flag-warnings.js";
import { resolveSecret } from "./options/secret-source.js";
import { chosenEntries, emptyScanStats, locateJournal, readError } from "./replay/journal-scan.js";
import { parseReplayOptions, resumeCommand } from "./replay/options.js";
import type { ReplayFlags } from "./specs/listen.js";

export { VERIFICATION_EVENTS } from "./replay/journal-scan.js";
export { type ParsedReplay, parseReplayOptions, resumeCommand } from "./replay/options.js";

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

  const path = await locateJournal(selection, io, ctx.env);

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

  const stats = emptyScanStats();
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
    throw readError(path, err);
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
