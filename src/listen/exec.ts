// --exec: run the user's command once per accepted event, with the event JSON on stdin and
// CERTWH_EVENT, CERTWH_ORDER_ID and CERTWH_CERTIFICATE_ID in its environment.
//
// Why no shell: the command string is split into argv by splitCommand() (quotes and backslashes only)
// and started with spawn() WITHOUT a shell. Event data travels only through stdin and the environment,
// never through a command line, so a payload such as `$(touch /tmp/pwned)` or `; rm -rf ~` is inert
// data; and with no shell in the path there is also no way for a future change to interpolate it by
// accident. Portable too (no `sh` needed on Windows). Users who want pipes or redirections ask for a
// shell explicitly: --exec "sh -c 'jq .data >> events.log'" (event data still arrives on stdin/env only).
//
// Bounded: a per-run timeout (SIGTERM to the whole process group, then SIGKILL), a concurrency limit
// and a queue limit. Results (exit code, duration, stderr tail) go to `onResult`.
//
// This file splits the command line and runs the queue (concurrency, order and refusal); one run, and the
// event and result types both speak of, are exec-run.ts.

import { UsageError } from "../errors.js";
import { type Clock, systemClock } from "../util/clock.js";
import {
  type ExecEvent,
  type ExecResult,
  type RunHandle,
  type RunSettings,
  startRun,
  withoutCredentials,
} from "./exec-run.js";

export { EXEC_STOPPED, type ExecEvent, type ExecResult } from "./exec-run.js";

/** The errors of a run refused before it started (see ExecResult.unfinished). */
const EXEC_QUEUE_FULL = "exec queue full (the event is in the journal)";
const EXEC_CLOSED = "not run: certwh was stopping";

const SHELL_OPERATORS = new Set(["|", "||", "&", "&&", ";", ";;", ">", ">>", "<", "<<", "2>", "2>&1"]);

/**
 * Split a command line into argv: whitespace separates words; '…' is literal; "…" is literal except
 * for \" \\ \$ \` ; a backslash outside quotes escapes the next character. Nothing is expanded
 * ($VAR, $(…), globs and ~ stay literal). UsageError on an empty command, an unterminated quote, or
 * an unquoted shell operator (a sign the user expected a shell).
 */
export function splitCommand(command: string): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let quotedOperator = false;
  const push = () => {
    if (!inWord) return;
    if (!quotedOperator && SHELL_OPERATORS.has(word)) {
      throw new UsageError(
        `--exec runs its command without a shell, so "${word}" would be passed literally.`,
        {
          hint: `For pipes or redirections, ask for a shell: --exec "sh -c '…'" (event data stays on stdin and in env).`,
        },
      );
    }
    words.push(word);
    word = "";
    inWord = false;
    quotedOperator = false;
  };
  for (let i = 0; i < command.length; i++) {
    const ch = command[i] as string;
    if (/\s/.test(ch)) {
      push();
    } else if (ch === "'") {
      const end = command.indexOf("'", i + 1);
      if (end < 0) throw new UsageError("--exec: unterminated single quote in the command.");
      word += command.slice(i + 1, end);
      inWord = quotedOperator = true;
      i = end;
    } else if (ch === '"') {
      inWord = quotedOperator = true;
      let j = i + 1;
      for (; j < command.length && command[j] !== '"'; j++) {
        const c = command[j] as string;
        const next = command[j + 1];
        if (c === "\\" && next !== undefined && '"\\$`'.includes(next)) {
          word += next;
          j++;
        } else word += c;
      }
      if (j >= command.length) throw new UsageError("--exec: unterminated double quote in the command.");
      i = j;
    } else if (ch === "\\") {
      if (i + 1 >= command.length) throw new UsageError("--exec: the command ends with a lone backslash.");
      word += command[++i];
      inWord = quotedOperator = true;
    } else {
      word += ch;
      inWord = true;
    }
  }
  push();
  if (words.length === 0) throw new UsageError("--exec needs a command.");
  return words;
}

interface ExecRunnerOptions {
  /** The user's command line (split with splitCommand) or an argv array. */
  command: string | readonly string[];
  /** Per-run limit (default 30 s). */
  timeoutMs?: number;
  /** Runs at once (default 2). */
  concurrency?: number;
  /** Events waiting beyond this are refused (default 100). */
  queueLimit?: number;
  /**
   * Base environment for the command (default process.env), without certwh's credentials; the CERTWH_*
   * variables are set on top.
   */
  env?: NodeJS.ProcessEnv;
  /** The webhook secret: no variable that holds it reaches the command, whichever --secret-env read it. */
  secret?: string;
  /** Between SIGTERM and SIGKILL on timeout (default 2 s). */
  killGraceMs?: number;
  clock?: Clock;
  onResult?: (result: ExecResult) => void;
}

interface ExecRunner {
  /** Queue a run; false (and a failed result) when the queue is full or the runner is closed. */
  enqueue(event: ExecEvent): boolean;
  /** Whether `extra` more runs would be taken now (queued or started) rather than refused. */
  hasRoom(extra: number): boolean;
  /** Resolves when nothing is queued or running. */
  drain(): Promise<void>;
  /** Refuse new runs, drop queued ones, terminate running ones, and wait for them to end. */
  close(): Promise<void>;
}

function runSettings(options: ExecRunnerOptions): RunSettings {
  const argv = typeof options.command === "string" ? splitCommand(options.command) : [...options.command];
  if (argv.length === 0) throw new UsageError("--exec needs a command.");
  return {
    argv,
    timeoutMs: options.timeoutMs ?? 30_000,
    baseEnv: withoutCredentials(options.env ?? process.env, options.secret),
    killGraceMs: options.killGraceMs ?? 2000,
    clock: options.clock ?? systemClock,
    useGroup: process.platform !== "win32",
  };
}

export function createExecRunner(options: ExecRunnerOptions): ExecRunner {
  const settings = runSettings(options);
  const concurrency = Math.max(1, options.concurrency ?? 2);
  const queueLimit = options.queueLimit ?? 100;
  const report = options.onResult ?? (() => undefined);
  // Events waiting for a free slot, and the runs under way: at most `concurrency`, started in arrival order.
  const waiting: ExecEvent[] = [];
  const running = new Set<RunHandle>();
  const idleWaiters: Array<() => void> = [];
  let closed = false;

  // Refused events count as unfinished: they are in the journal and can be run again.
  function refuse(event: ExecEvent, error: string): false {
    report(refusedResult(event, error, true));
    return false;
  }

  function execute(event: ExecEvent): Promise<void> {
    return new Promise((resolve) => {
      const run = startRun(event, settings, (result) => {
        running.delete(run);
        report(result);
        resolve();
      });
      running.add(run);
    });
  }

  function pump(): void {
    while (running.size < concurrency && waiting.length > 0) {
      const next = waiting.shift() as ExecEvent;
      execute(next)
        // spawn() threw synchronously (bad argv): a failure, not unfinished, as it would fail again.
        .catch((err: Error) => report(refusedResult(next, err.message, false)))
        .finally(() => {
          pump();
          settleIdle();
        });
    }
  }

  function settleIdle(): void {
    if (waiting.length > 0 || running.size > 0) return;
    for (const w of idleWaiters.splice(0)) w();
  }

  function idle(): Promise<void> {
    if (waiting.length === 0 && running.size === 0) return Promise.resolve();
    return new Promise((resolve) => idleWaiters.push(resolve));
  }

  return {
    enqueue(event) {
      if (closed) return refuse(event, EXEC_CLOSED);
      if (waiting.length >= queueLimit) return refuse(event, EXEC_QUEUE_FULL);
      waiting.push(event);
      pump();
      return true;
    },
    hasRoom(extra) {
      if (closed) return false;
      // A run starts at once while a slot is free; the rest wait in the queue.
      const freeSlots = Math.max(0, concurrency - running.size);
      return waiting.length + extra <= queueLimit + freeSlots;
    },
    drain: idle,
    async close() {
      if (!closed) {
        closed = true;
        for (const e of waiting.splice(0)) refuse(e, EXEC_CLOSED);
        for (const run of running) run.stop();
      }
      await idle();
    },
  };
}

/** A run's outcome as listen's NDJSON `exec` line and replay's --json results report it (snake_case). */
export interface ExecReport {
  ok: boolean;
  exit_code: number | null;
  signal: string | null;
  timed_out: boolean;
  ms: number;
  error?: string;
  /** The end of its stderr, when it failed (it usually says why). */
  stderr_tail?: string;
  /** The end of what the command printed (last 2 KiB), shown under the exec line. */
  stdout_tail?: string;
  /** The tail leaves earlier output out (it starts at a line). */
  stderr_truncated?: true;
  stdout_truncated?: true;
}

export function execReport(r: ExecResult): ExecReport {
  return {
    ok: r.ok,
    exit_code: r.exitCode,
    signal: r.signal,
    timed_out: r.timedOut,
    ms: r.ms,
    ...(r.error !== undefined ? { error: r.error } : {}),
    ...(!r.ok && r.stderrTail ? { stderr_tail: r.stderrTail } : {}),
    ...(!r.ok && r.stderrTail && r.stderrCut ? { stderr_truncated: true as const } : {}),
    ...(r.stdoutTail ? { stdout_tail: r.stdoutTail } : {}),
    ...(r.stdoutTail && r.stdoutCut ? { stdout_truncated: true as const } : {}),
  };
}

/** The result of a run that never started: refused, or spawn() threw. */
function refusedResult(event: ExecEvent, error: string, unfinished: boolean): ExecResult {
  return {
    id: event.id,
    event: event.event,
    ...(event.receivedAt !== undefined ? { receivedAt: event.receivedAt } : {}),
    ok: false,
    exitCode: null,
    signal: null,
    timedOut: false,
    ms: 0,
    stderrTail: "",
    stdoutTail: "",
    error,
    ...(unfinished ? { unfinished: true as const } : {}),
  };
}
