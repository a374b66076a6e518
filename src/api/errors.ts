// Failures of a CertCentral API call. These are plain data about what happened; the CLI decides
// what they mean for the user (src/io/exit-codes.ts). Messages never contain headers or secrets.
// Text from the answer that people read (message, detail) is printable(): it cannot drive a terminal.

import { printable } from "../util/printable.js";

/** CertCentral answered with a non-success status. `code` is DigiCert's `errors[0].code` when present. */
export class ApiError extends Error {
  readonly status: number;
  /** DigiCert's error code, e.g. `webhook_invalid_token` or `not_found|webhook`; "" when the body had none. */
  readonly code: string;
  /** Every error in DigiCert's envelope. */
  readonly errors: { code: string; message: string }[];
  readonly method: string;
  readonly path: string;
  /** Parsed Retry-After, when the server sent one. */
  readonly retryAfterMs?: number;
  /**
   * A short, redacted detail for people when the answer was not DigiCert's error envelope: the collapsed
   * snippet of a non-JSON body (a proxy's HTML page), or what was wrong with a 2xx answer.
   */
  readonly detail?: string;
  /** A next step for people the client can tell (e.g. a base URL that is probably wrong). */
  readonly hint?: string;
  /** How many requests were sent for this call (more than 1 only when it was retried); set by withRetry. */
  attempts = 1;
  constructor(init: {
    status: number;
    code: string;
    message: string;
    method: string;
    path: string;
    errors?: { code: string; message: string }[];
    retryAfterMs?: number;
    detail?: string;
    hint?: string;
  }) {
    super(printable(init.message));
    this.name = "ApiError";
    this.status = init.status;
    this.code = init.code;
    this.errors = init.errors ?? (init.code ? [{ code: init.code, message: init.message }] : []);
    this.method = init.method;
    this.path = init.path;
    this.retryAfterMs = init.retryAfterMs;
    this.detail = init.detail === undefined ? undefined : printable(init.detail);
    this.hint = init.hint;
  }

  hasCode(code: string): boolean {
    return this.errors.some((e) => e.code === code);
  }
}

/** The request never got an answer: refused, reset, DNS failure, TLS failure. */
export class NetworkError extends Error {
  constructor(
    message: string,
    readonly host: string,
    readonly errno?: string,
    cause?: unknown,
    /** The base URL the call was made to, when known: for sentences such as "Nothing answers at <url>". */
    readonly url?: string,
    /** The proxy the call was sent through (no credentials), and its refusal of the tunnel, if that happened. */
    readonly proxy?: { url: string; status?: number },
  ) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = "NetworkError";
  }
}

/**
 * The host accepted the connection, then closed it without an answer (undici's UND_ERR_SOCKET, "other side
 * closed") or reset it (ECONNRESET): it was reached, unlike a refused, unresolvable or unreachable one.
 */
const CLOSED_UNANSWERED = new Set(["UND_ERR_SOCKET", "ECONNRESET"]);

/**
 * A call that got no answer, as the start of a sentence: `<host> closed the connection without answering
 * (UND_ERR_SOCKET)`, or `Could not reach <host> (ECONNREFUSED)`.
 */
export function noAnswerWords(host: string, errno: string | undefined): string {
  const code = errno ? ` (${errno})` : "";
  return errno && CLOSED_UNANSWERED.has(errno)
    ? `${host} closed the connection without answering${code}`
    : `Could not reach ${host}${code}`;
}

/** No answer within the request timeout (after retries, where the call is retryable). */
export class ApiTimeoutError extends Error {
  /** Requests sent in all (set by the retry loop). */
  attempts = 1;
  constructor(
    message: string,
    readonly host: string,
    readonly timeoutMs: number,
  ) {
    super(message);
    this.name = "ApiTimeoutError";
  }
}

/**
 * A 2xx answer that is JSON, but not of the shape certwh expects (src/api/shapes.ts): a string where a list
 * belongs, an id that is not a positive integer, a body that is not an object. CertCentral said yes, so for
 * create and update it is ambiguous like any unreadable 2xx. The message names the route and the field's
 * path (`webhooks[0].events[1]`) and what was expected, never the value found: a value may be a secret.
 */
export class ApiShapeError extends ApiError {
  /** The path of the offending field from the body's root, e.g. `webhooks[0].id`; "" for the body itself. */
  readonly field: string;
  /** What the field should have been, e.g. "a list of strings". */
  readonly expected: string;
  constructor(init: { status: number; method: string; path: string; field: string; expected: string }) {
    const where = init.field === "" ? "the body" : init.field;
    const what = `${where} should be ${init.expected}`;
    super({
      ...init,
      code: "",
      detail: `${what}.`,
      message: `CertCentral's answer to ${init.method} ${init.path} has an unexpected shape: ${what}.`,
    });
    this.name = "ApiShapeError";
    this.field = init.field;
    this.expected = init.expected;
  }
}

/** A 2xx answer larger than certwh reads into memory (src/api/client.ts); nothing of it was used. */
export class ApiTooLargeError extends ApiError {
  /** The cap that was exceeded, in bytes. */
  readonly limitBytes: number;
  constructor(init: { status: number; method: string; path: string; limitBytes: number }) {
    const size = `${init.limitBytes / (1024 * 1024)} MiB`;
    super({
      ...init,
      code: "",
      detail: `larger than ${size}, the most certwh reads for this call.`,
      message: `CertCentral's answer to ${init.method} ${init.path} is larger than ${size}, the most certwh reads for this call.`,
    });
    this.name = "ApiTooLargeError";
    this.limitBytes = init.limitBytes;
  }
}
