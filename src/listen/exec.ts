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
// This file is the runner other modules import (concurrency, order and refusal); its parts sit beside it:
// exec-command.ts (the command line into argv), exec-run.ts (one run), exec-types.ts.

import { UsageError } from "../errors.js";
import { type Clock, systemClock } from "../util/clock.js";
import { splitCommand } from "./exec-command.js";
import { type RunHandle, type RunSettings, startRun, withoutCredentials } from "./exec-run.js";
import {
  EXEC_CLOSED,
  EXEC_QUEUE_FULL,
  type ExecEvent,
  type ExecResult,
  refusedResult,
} from "./exec-types.js";

export { splitCommand } from "./exec-command.js";
export {
  EXEC_STOPPED,
  type ExecEvent,
  type ExecReport,
  type ExecResult,
  execReport,
} from "./exec-types.js";

export interface ExecRunnerOptions {
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

export interface ExecRunner {
  readonly argv: readonly string[];
  /** Queue a run; false (and a failed result) when the queue is full or the runner is closed. */
  enqueue(event: ExecEvent): boolean;
  /** Whether `extra` more runs would be taken now (queued or started) rather than refused. */
  hasRoom(extra?: number): boolean;
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
  let idleWaiters: Array<() => void> = [];
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
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const w of waiters) w();
  }

  function idle(): Promise<void> {
    if (waiting.length === 0 && running.size === 0) return Promise.resolve();
    return new Promise((resolve) => idleWaiters.push(resolve));
  }

  return {
    argv: settings.argv,
    enqueue(event) {
      if (closed) return refuse(event, EXEC_CLOSED);
      if (waiting.length >= queueLimit) return refuse(event, EXEC_QUEUE_FULL);
      waiting.push(event);
      pump();
      return true;
    },
    hasRoom(extra = 1) {
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
