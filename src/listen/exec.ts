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

import { spawn } from "node:child_process";
import { UsageError } from "../errors.js";
import { type Clock, systemClock } from "../util/clock.js";

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

export interface ExecEvent {
  /** The journal id, to tie results to events. */
  id?: string;
  event: string;
  /** The raw body (the event JSON), written to the command's stdin. */
  body: Buffer | string;
  /** The parsed payload's `data`, for CERTWH_ORDER_ID and CERTWH_CERTIFICATE_ID. */
  data?: unknown;
}

export interface ExecResult {
  id?: string;
  event: string;
  ok: boolean;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  ms: number;
  /** The last few KiB of the command's stderr / stdout. */
  stderrTail: string;
  stdoutTail: string;
  /** Set when the command could not start (e.g. "ENOENT"), the queue was full or the runner closed. */
  error?: string;
  /**
   * The command did not run to its end through no fault of its own: refused (queue full, runner closed) or
   * stopped by close(). Such an event can be run again later (`certwh replay --exec`).
   */
  unfinished?: true;
}

/** A run's outcome as listen's NDJSON `exec` line and replay's --json results report it (snake_case). */
export interface ExecReport {
  ok: boolean;
  exit_code: number | null;
  signal: string | null;
  timed_out: boolean;
  ms: number;
  error?: string;
}

export function execReport(r: ExecResult): ExecReport {
  return {
    ok: r.ok,
    exit_code: r.exitCode,
    signal: r.signal,
    timed_out: r.timedOut,
    ms: r.ms,
    ...(r.error !== undefined ? { error: r.error } : {}),
  };
}

/** The errors of an unfinished run (see ExecResult.unfinished). */
export const EXEC_QUEUE_FULL = "exec queue full (the event is in the journal)";
export const EXEC_CLOSED = "not run: certwh was stopping";
export const EXEC_STOPPED = "stopped before it finished: certwh was stopping";

export interface ExecRunnerOptions {
  /** The user's command line (split with splitCommand) or an argv array. */
  command: string | readonly string[];
  /** Per-run limit (default 30 s). */
  timeoutMs?: number;
  /** Runs at once (default 2). */
  concurrency?: number;
  /** Events waiting beyond this are refused (default 100). */
  queueLimit?: number;
  /** Base environment for the command (default process.env); the CERTWH_* variables are set on top. */
  env?: NodeJS.ProcessEnv;
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

const TAIL_BYTES = 2048;

function idFrom(data: unknown, key: string): string | undefined {
  if (typeof data !== "object" || data === null) return undefined;
  const value = (data as Record<string, unknown>)[key];
  if (typeof value === "number" && Number.isSafeInteger(value)) return String(value);
  if (typeof value === "string" && /^\d{1,16}$/.test(value)) return value;
  return undefined;
}

/** The command's environment: the base plus CERTWH_* (unset when the event does not carry the value). */
export function execEnv(base: NodeJS.ProcessEnv, event: ExecEvent): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base, CERTWH_EVENT: event.event };
  const vars = { CERTWH_ORDER_ID: "order_id", CERTWH_CERTIFICATE_ID: "certificate_id" } as const;
  for (const [name, key] of Object.entries(vars)) {
    const value = idFrom(event.data, key);
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

function keepTail(previous: string, chunk: Buffer): string {
  const text = previous + chunk.toString("utf8");
  return text.length > TAIL_BYTES ? text.slice(-TAIL_BYTES) : text;
}

export function createExecRunner(options: ExecRunnerOptions): ExecRunner {
  const argv = typeof options.command === "string" ? splitCommand(options.command) : [...options.command];
  if (argv.length === 0) throw new UsageError("--exec needs a command.");
  const timeoutMs = options.timeoutMs ?? 30_000;
  const concurrency = Math.max(1, options.concurrency ?? 2);
  const queueLimit = options.queueLimit ?? 100;
  const baseEnv = options.env ?? process.env;
  const killGraceMs = options.killGraceMs ?? 2000;
  const clock = options.clock ?? systemClock;
  const report = options.onResult ?? (() => undefined);
  // A process group per run (POSIX) so a timeout also reaches whatever the command started.
  const useGroup = process.platform !== "win32";

  const queue: ExecEvent[] = [];
  const running = new Set<() => void>(); // each entry terminates one run
  let closed = false;
  let idleWaiters: Array<() => void> = [];

  function execute(event: ExecEvent): Promise<void> {
    return new Promise((resolve) => {
      const started = clock.now();
      let stderrTail = "";
      let stdoutTail = "";
      let timedOut = false;
      let stopped = false; // terminated by close()
      let spawnError: string | undefined;
      let exit: { code: number | null; signal: NodeJS.Signals | null } = { code: null, signal: null };
      const timers: NodeJS.Timeout[] = [];

      const child = spawn(argv[0] as string, argv.slice(1), {
        env: execEnv(baseEnv, event),
        stdio: ["pipe", "pipe", "pipe"],
        detached: useGroup,
        shell: false,
        windowsHide: true,
      });
      const signalAll = (sig: NodeJS.Signals) => {
        try {
          if (useGroup && child.pid !== undefined) process.kill(-child.pid, sig);
          else child.kill(sig);
        } catch {
          // already gone
        }
      };
      const terminate = () => {
        signalAll("SIGTERM");
        timers.push(
          setTimeout(() => {
            signalAll("SIGKILL");
            // If something still holds the pipes open, stop waiting for it.
            timers.push(setTimeout(() => finish(), killGraceMs));
          }, killGraceMs),
        );
      };
      const stop = () => {
        stopped = true;
        terminate();
      };
      running.add(stop);
      timers.push(
        setTimeout(() => {
          timedOut = true;
          terminate();
        }, timeoutMs),
      );

      let done = false;
      function finish(): void {
        if (done) return;
        done = true;
        for (const t of timers) clearTimeout(t);
        running.delete(stop);
        child.stdout?.destroy();
        child.stderr?.destroy();
        const ok = !timedOut && spawnError === undefined && exit.code === 0;
        // A run close() stopped that ended anyway with success is finished; otherwise it can run again.
        const cutShort = stopped && !ok && spawnError === undefined;
        report({
          id: event.id,
          event: event.event,
          ok,
          exitCode: exit.code,
          signal: exit.signal,
          timedOut,
          ms: clock.now() - started,
          stderrTail,
          stdoutTail,
          error: cutShort
            ? EXEC_STOPPED
            : (spawnError ?? (timedOut ? `timed out after ${timeoutMs} ms` : undefined)),
          ...(cutShort ? { unfinished: true as const } : {}),
        });
        resolve();
      }

      child.stdout?.on("data", (d: Buffer) => {
        stdoutTail = keepTail(stdoutTail, d);
      });
      child.stderr?.on("data", (d: Buffer) => {
        stderrTail = keepTail(stderrTail, d);
      });
      child.on("exit", (code, signal) => {
        exit = { code, signal };
      });
      child.on("error", (err: NodeJS.ErrnoException) => {
        spawnError = err.code ?? err.message;
        finish();
      });
      child.on("close", (code, signal) => {
        exit = { code: exit.code ?? code, signal: exit.signal ?? signal };
        finish();
      });
      // A command that does not read stdin closes the pipe early: EPIPE is not a failure of the run.
      child.stdin?.on("error", () => undefined);
      child.stdin?.end(event.body);
    });
  }

  function settleIdle(): void {
    if (queue.length > 0 || running.size > 0) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const w of waiters) w();
  }

  function pump(): void {
    while (running.size < concurrency && queue.length > 0) {
      const next = queue.shift() as ExecEvent;
      execute(next)
        .catch((err: Error) => refuse(next, err.message, false)) // spawn() threw synchronously (bad argv)
        .finally(() => {
          pump();
          settleIdle();
        });
    }
  }

  function drain(): Promise<void> {
    if (queue.length === 0 && running.size === 0) return Promise.resolve();
    return new Promise((resolve) => idleWaiters.push(resolve));
  }

  function refuse(event: ExecEvent, error: string, unfinished = true): false {
    report({
      id: event.id,
      event: event.event,
      ok: false,
      exitCode: null,
      signal: null,
      timedOut: false,
      ms: 0,
      stderrTail: "",
      stdoutTail: "",
      error,
      ...(unfinished ? { unfinished: true as const } : {}),
    });
    return false;
  }

  return {
    argv,
    enqueue(event) {
      if (closed) return refuse(event, EXEC_CLOSED);
      if (queue.length >= queueLimit) return refuse(event, EXEC_QUEUE_FULL);
      queue.push(event);
      pump();
      return true;
    },
    hasRoom(extra = 1) {
      if (closed) return false;
      // A run starts at once while a slot is free; the rest wait in the queue.
      const free = Math.max(0, concurrency - running.size);
      return queue.length + extra <= queueLimit + free;
    },
    drain,
    async close() {
      if (!closed) {
        closed = true;
        for (const e of queue.splice(0)) refuse(e, EXEC_CLOSED);
        for (const terminate of running) terminate();
      }
      await drain();
    },
  };
}
