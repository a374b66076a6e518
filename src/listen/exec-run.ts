// One run of the --exec command for one event: started without a shell with the event JSON on stdin,
// bounded by a timeout (SIGTERM to its process group, then SIGKILL), and reported once, when it is over,
// whichever ends it first: the child closing its pipes, a failure to start, or the end of the kill grace.

import { type ChildProcess, spawn } from "node:child_process";
import type { Clock } from "../util/clock.js";

export interface ExecEvent {
  /** The journal id, to tie results to events. */
  id?: string;
  event: string;
  /** The raw body (the event JSON), written to the command's stdin. */
  body: Buffer | string;
  /** The parsed payload's `data`, for CERTWH_ORDER_ID and CERTWH_CERTIFICATE_ID. */
  data?: unknown;
  /** When listen received it (epoch ms): a catch-up command replays `--since` the first failed one. */
  receivedAt?: number;
}

export interface ExecResult {
  id?: string;
  event: string;
  /** The event's ExecEvent.receivedAt. */
  receivedAt?: number;
  ok: boolean;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  ms: number;
  /** The last few KiB of the command's stderr / stdout, from the start of a line when cut. */
  stderrTail: string;
  stdoutTail: string;
  /** Earlier output was left out of the tail. */
  stderrCut?: true;
  stdoutCut?: true;
  /** Set when the command could not start (e.g. "ENOENT"), the queue was full or the runner closed. */
  error?: string;
  /**
   * The command did not run to its end through no fault of its own: refused (queue full, runner closed) or
   * stopped by close(). Such an event can be run again later (`certwh replay --exec`).
   */
  unfinished?: true;
}

/** The error of a run close() stopped before it finished (see ExecResult.unfinished). */
export const EXEC_STOPPED = "stopped before it finished: certwh was stopping";

const TAIL_BYTES = 2048;
/** Variables a command never inherits: certwh's credentials. */
const CREDENTIAL_VARS = ["CERTWH_API_KEY", "DIGICERT_API_KEY", "NGROK_AUTHTOKEN"];

/** `base` without certwh's credentials, nor any variable holding the webhook secret. */
export function withoutCredentials(base: NodeJS.ProcessEnv, secret?: string): NodeJS.ProcessEnv {
  const env = { ...base };
  for (const name of CREDENTIAL_VARS) delete env[name];
  if (secret) for (const [name, value] of Object.entries(env)) if (value === secret) delete env[name];
  return env;
}

function idFrom(data: unknown, key: string): string | undefined {
  if (typeof data !== "object" || data === null) return undefined;
  const value = (data as Record<string, unknown>)[key];
  if (typeof value === "number" && Number.isSafeInteger(value)) return String(value);
  if (typeof value === "string" && /^\d{1,16}$/.test(value)) return value;
  return undefined;
}

/**
 * The command's environment: the base plus CERTWH_EVENT, CERTWH_ORDER_ID and CERTWH_CERTIFICATE_ID taken
 * from the event (unset when the event does not carry the value).
 */
function execEnv(base: NodeJS.ProcessEnv, event: ExecEvent): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base, CERTWH_EVENT: event.event };
  const vars = { CERTWH_ORDER_ID: "order_id", CERTWH_CERTIFICATE_ID: "certificate_id" } as const;
  for (const [name, key] of Object.entries(vars)) {
    const value = idFrom(event.data, key);
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

export interface RunSettings {
  argv: readonly string[];
  baseEnv: NodeJS.ProcessEnv;
  timeoutMs: number;
  /** Between SIGTERM and SIGKILL, and again before giving up on pipes still held open. */
  killGraceMs: number;
  clock: Clock;
  /** A process group per run (POSIX) so a timeout also reaches whatever the command started. */
  useGroup: boolean;
}

export interface RunHandle {
  /** Terminate the run for close(): it still reports, as unfinished unless it succeeded anyway. */
  stop(): void;
}

/** One run and what it has seen so far; read into its ExecResult once, when it ends. */
interface Run {
  readonly event: ExecEvent;
  readonly settings: RunSettings;
  readonly started: number;
  readonly child: ChildProcess;
  readonly timers: NodeJS.Timeout[];
  readonly onEnd: (result: ExecResult) => void;
  stderrTail: string;
  stdoutTail: string;
  stderrCut: boolean;
  stdoutCut: boolean;
  timedOut: boolean;
  /** Terminated by close(). */
  stopped: boolean;
  spawnError?: string;
  exit: { code: number | null; signal: NodeJS.Signals | null };
  ended: boolean;
}

/**
 * Start the command for `event`; `onEnd` gets its result once. spawn() may throw synchronously (bad argv);
 * otherwise the run ends only from a child event or a timer, never before this returns.
 */
export function startRun(
  event: ExecEvent,
  settings: RunSettings,
  onEnd: (result: ExecResult) => void,
): RunHandle {
  const started = settings.clock.now();
  const run: Run = {
    event,
    settings,
    started,
    child: spawnCommand(event, settings),
    timers: [],
    onEnd,
    stderrTail: "",
    stdoutTail: "",
    stderrCut: false,
    stdoutCut: false,
    timedOut: false,
    stopped: false,
    exit: { code: null, signal: null },
    ended: false,
  };
  run.timers.push(
    setTimeout(() => {
      run.timedOut = true;
      terminate(run);
    }, settings.timeoutMs),
  );
  watchChild(run);
  // A command that does not read stdin closes the pipe early: EPIPE is not a failure of the run.
  run.child.stdin?.on("error", () => undefined);
  run.child.stdin?.end(event.body);
  return {
    stop() {
      run.stopped = true;
      terminate(run);
    },
  };
}

function spawnCommand(event: ExecEvent, settings: RunSettings): ChildProcess {
  const [program, ...args] = settings.argv;
  return spawn(program as string, args, {
    env: execEnv(settings.baseEnv, event),
    stdio: ["pipe", "pipe", "pipe"],
    detached: settings.useGroup,
    shell: false,
    windowsHide: true,
  });
}

function watchChild(run: Run): void {
  const { child } = run;
  child.stdout?.on("data", (d: Buffer) => {
    const kept = keepTail(run.stdoutTail, d);
    run.stdoutTail = kept.text;
    run.stdoutCut ||= kept.cut;
  });
  child.stderr?.on("data", (d: Buffer) => {
    const kept = keepTail(run.stderrTail, d);
    run.stderrTail = kept.text;
    run.stderrCut ||= kept.cut;
  });
  child.on("exit", (code, signal) => {
    run.exit = { code, signal };
  });
  child.on("error", (err: NodeJS.ErrnoException) => {
    run.spawnError = err.code ?? err.message;
    end(run);
  });
  child.on("close", (code, signal) => {
    run.exit = { code: run.exit.code ?? code, signal: run.exit.signal ?? signal };
    end(run);
  });
}

/** The last TAIL_BYTES of the output, starting at a line when cut (a line longer than that is cut inside). */
function keepTail(previous: string, chunk: Buffer): { text: string; cut: boolean } {
  const text = previous + chunk.toString("utf8");
  if (text.length <= TAIL_BYTES) return { text, cut: false };
  const tail = text.slice(-TAIL_BYTES);
  const lineStart = tail.indexOf("\n") + 1;
  return { text: lineStart > 0 && lineStart < tail.length ? tail.slice(lineStart) : tail, cut: true };
}

/** SIGTERM, then SIGKILL after the grace. */
function terminate(run: Run): void {
  const grace = run.settings.killGraceMs;
  signalAll(run, "SIGTERM");
  run.timers.push(
    setTimeout(() => {
      signalAll(run, "SIGKILL");
      // If something still holds the pipes open, stop waiting for it.
      run.timers.push(setTimeout(() => end(run), grace));
    }, grace),
  );
}

function signalAll(run: Run, sig: NodeJS.Signals): void {
  const { child } = run;
  try {
    if (run.settings.useGroup && child.pid !== undefined) process.kill(-child.pid, sig);
    else child.kill(sig);
  } catch {
    // already gone
  }
}

function end(run: Run): void {
  if (run.ended) return;
  run.ended = true;
  for (const t of run.timers) clearTimeout(t);
  run.child.stdout?.destroy();
  run.child.stderr?.destroy();
  run.onEnd(resultOf(run));
}

function resultOf(run: Run): ExecResult {
  const ok = !run.timedOut && run.spawnError === undefined && run.exit.code === 0;
  // A run close() stopped that ended anyway with success is finished; otherwise it can run again.
  const cutShort = run.stopped && !ok && run.spawnError === undefined;
  return {
    id: run.event.id,
    event: run.event.event,
    ...(run.event.receivedAt !== undefined ? { receivedAt: run.event.receivedAt } : {}),
    ok,
    exitCode: run.exit.code,
    signal: run.exit.signal,
    timedOut: run.timedOut,
    ms: run.settings.clock.now() - run.started,
    stderrTail: run.stderrTail,
    stdoutTail: run.stdoutTail,
    ...(run.stderrCut ? { stderrCut: true as const } : {}),
    ...(run.stdoutCut ? { stdoutCut: true as const } : {}),
    error: cutShort
      ? EXEC_STOPPED
      : (run.spawnError ?? (run.timedOut ? `timed out after ${run.settings.timeoutMs} ms` : undefined)),
    ...(cutShort ? { unfinished: true as const } : {}),
  };
}
