// What the runner (exec.ts) and its runs (exec-run.ts) both speak of: an event to run, a run's result, the
// result as it is reported, and the errors of a run that did not finish.

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

/** The result of a run that never started: refused, or spawn() threw. */
export function refusedResult(event: ExecEvent, error: string, unfinished: boolean): ExecResult {
  return {
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
  };
}
