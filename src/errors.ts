// Error classes shared by the library and the CLI. Each carries the exit code it maps to;
// src/io/exit-codes.ts is the one place that turns any error into a process exit code.

export const ExitCode = {
  ok: 0,
  internal: 1,
  usage: 2,
  refused: 3,
  auth: 4,
  notFound: 5,
  timeout: 6,
  tunnel: 7,
  /** The terminal was closed (128 + SIGHUP). */
  sighup: 129,
  sigint: 130,
  /** stdout or stderr was closed (128 + SIGPIPE, what a shell reports for a command cut off by `| head`). */
  sigpipe: 141,
  sigterm: 143,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export interface ErrorDetails {
  /** A follow-up sentence: what to do next. */
  hint?: string;
  /** A stable machine-readable code for --json (e.g. CertCentral's error code). */
  code?: string;
  cause?: unknown;
  /** The command already wrote its --json document (e.g. per-item results): print no error object. */
  reported?: boolean;
}

/** An expected failure with a plain message and a documented exit code. */
export class CertwhError extends Error {
  readonly exitCode: ExitCodeValue;
  readonly hint?: string;
  readonly code?: string;
  readonly reported: boolean;
  constructor(message: string, exitCode: ExitCodeValue, details: ErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.exitCode = exitCode;
    this.hint = details.hint;
    this.code = details.code;
    this.reported = details.reported ?? false;
  }
}

/** Why a question cannot be asked, in every refusal that needs one (what `--no-input` is implied by). */
export const NO_PROMPTS = "certwh does not prompt here (no terminal on stdin, --no-input, CI or TERM=dumb)";

export class UsageError extends CertwhError {
  constructor(message: string, details?: ErrorDetails) {
    super(message, ExitCode.usage, { code: "usage", ...details });
  }
}

/**
 * A confirmation prompt was answered "no": nothing changed. Exit 2 in every command, as gh's "cancelled",
 * so a declined `delete` and a declined `listen` takeover read the same to a wrapper script.
 */
export class DeclinedError extends CertwhError {
  constructor(message: string, details?: ErrorDetails) {
    super(message, ExitCode.usage, { code: "declined", ...details });
  }
}

/**
 * A file or folder certwh was told to use (config, journal, state, secret, chain, URL file) cannot be read or
 * written. The message names the path and the real cause (src/util/fs-error.ts words it); exit 2, like any
 * other input the user can fix.
 */
export class FileError extends UsageError {
  constructor(
    message: string,
    readonly path: string,
    /** The system's error code (ENOENT, ENOTDIR, EACCES…), or a certwh one such as "ETOOBIG". */
    readonly errno: string,
    details?: ErrorDetails,
  ) {
    super(message, { code: "file", ...details });
  }
}

/** CertCentral (or another peer) refused the request, or kept failing after retries. */
export class RefusedError extends CertwhError {
  constructor(message: string, details?: ErrorDetails) {
    super(message, ExitCode.refused, details);
  }
}

export class AuthError extends CertwhError {
  constructor(message: string, details?: ErrorDetails) {
    super(message, ExitCode.auth, { code: "auth", ...details });
  }
}

export class NotFoundError extends CertwhError {
  constructor(message: string, details?: ErrorDetails) {
    super(message, ExitCode.notFound, { code: "not_found", ...details });
  }
}

export class TimeoutError extends CertwhError {
  constructor(message: string, details?: ErrorDetails) {
    super(message, ExitCode.timeout, { code: "timeout", ...details });
  }
}

export class TunnelError extends CertwhError {
  constructor(message: string, details?: ErrorDetails) {
    super(message, ExitCode.tunnel, { code: "tunnel", ...details });
  }
}

/**
 * How a run was interrupted: a signal (SIGHUP: its terminal closed), a closed output (the reader of
 * `certwh … | head` went away), or the process that started certwh going away (stopped as on SIGTERM).
 */
export type InterruptCause =
  | "SIGINT"
  | "SIGTERM"
  | "SIGHUP"
  | "stdout_closed"
  | "stderr_closed"
  | "parent_exited";
/** The signal an interruption counts as: its exit code is 128 + that signal's number. */
export type InterruptSignal = "SIGINT" | "SIGTERM" | "SIGHUP" | "SIGPIPE";

const SIGNAL_OF: Record<InterruptCause, InterruptSignal> = {
  SIGINT: "SIGINT",
  SIGTERM: "SIGTERM",
  SIGHUP: "SIGHUP",
  stdout_closed: "SIGPIPE",
  stderr_closed: "SIGPIPE",
  parent_exited: "SIGTERM",
};
const EXIT_OF: Record<InterruptSignal, ExitCodeValue> = {
  SIGINT: ExitCode.sigint,
  SIGTERM: ExitCode.sigterm,
  SIGHUP: ExitCode.sighup,
  SIGPIPE: ExitCode.sigpipe,
};

/** What happened, in words a person reads (never "SIGPIPE"). */
export function describeInterruptCause(cause: InterruptCause): string {
  switch (cause) {
    case "stdout_closed":
      return "stdout was closed (whatever read certwh's output went away)";
    case "stderr_closed":
      return "stderr was closed (whatever read certwh's messages went away)";
    case "parent_exited":
      return "the process that started certwh went away";
    case "SIGHUP":
      return "its terminal was closed (SIGHUP)";
    default:
      return `interrupted by ${cause}`;
  }
}

/** The line that says a command was interrupted: every command (listen's renderer too) says it this way. */
export function interruptMessage(cause: InterruptCause): string {
  if (cause === "SIGINT" || cause === "SIGTERM") return `Interrupted by ${cause}.`;
  const what = describeInterruptCause(cause);
  return `Stopped: ${what}${cause === "parent_exited" ? " (stopped as on SIGTERM)" : ""}.`;
}

/** The exit code of an interruption by `cause` (130 SIGINT, 143 SIGTERM, 129 SIGHUP, 141 a closed output). */
export function interruptExitCode(cause: InterruptCause): ExitCodeValue {
  return EXIT_OF[SIGNAL_OF[cause]];
}

/** The run was interrupted (a signal, a closed output, its parent gone); the hint says how to resume. */
export class InterruptedError extends CertwhError {
  readonly signal: InterruptSignal;
  readonly interruptedBy: InterruptCause;
  constructor(cause: InterruptCause, message = "Interrupted.", details?: ErrorDetails) {
    const signal = SIGNAL_OF[cause];
    super(message, EXIT_OF[signal], { code: "interrupted", ...details });
    this.signal = signal;
    this.interruptedBy = cause;
  }

  /** The same interruption with the words of the command that knows what state it leaves. */
  withHint(hint: string, message = this.message): InterruptedError {
    return new InterruptedError(this.interruptedBy, message, { hint, cause: this });
  }
}
