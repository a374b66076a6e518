// Error classes shared by the library and the CLI. Each carries the exit code it maps to;
// src/cli/exit-codes.ts is the one place that turns any error into a process exit code.

export const ExitCode = {
  ok: 0,
  internal: 1,
  usage: 2,
  refused: 3,
  auth: 4,
  notFound: 5,
  timeout: 6,
  tunnel: 7,
  sigint: 130,
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

export class UsageError extends CertwhError {
  constructor(message: string, details?: ErrorDetails) {
    super(message, ExitCode.usage, { code: "usage", ...details });
  }
}

/**
 * A file or folder certwh was told to use (config, journal, state, secret, chain, URL file) cannot be read or
 * written. The message names the path and the real cause (src/util/fs-error.ts words it); exit 2, like any
 * other input the user can fix.
 */
export class FileError extends UsageError {
  readonly path: string;
  /** The system's error code (ENOENT, ENOTDIR, EACCES…), or a certwh one such as "ETOOBIG". */
  readonly errno: string;
  constructor(message: string, path: string, errno: string, details?: ErrorDetails) {
    super(message, { code: "file", ...details });
    this.path = path;
    this.errno = errno;
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

/** The run was interrupted by a signal; the message is the resume hint. */
export class InterruptedError extends CertwhError {
  readonly signal: "SIGINT" | "SIGTERM";
  constructor(signal: "SIGINT" | "SIGTERM", message = "Interrupted.", details?: ErrorDetails) {
    super(message, signal === "SIGINT" ? ExitCode.sigint : ExitCode.sigterm, {
      code: "interrupted",
      ...details,
    });
    this.signal = signal;
  }
}
