// The one place where any error becomes an exit code and the sentence a person reads.
// The table is documented in README.md ("Exit codes") and pinned by test/unit/exit-codes.test.ts.
// Interruptions carry their code (src/errors.ts): 130 SIGINT, 143 SIGTERM or the parent process gone, 129 SIGHUP,
// 141 a closed stdout or stderr (128 + SIGPIPE).

import {
  ApiError,
  ApiShapeError,
  ApiTimeoutError,
  ApiTooLargeError,
  NetworkError,
  noAnswerWords,
} from "../api/errors.js";
import { CertwhError, ExitCode, type ExitCodeValue } from "../errors.js";
import { secondsText } from "../util/duration.js";
import { fileError, isFsError } from "../util/fs-error.js";
import { isLoopbackHost } from "../util/loopback.js";
import { printable } from "../util/printable.js";
import { redact } from "../util/redact.js";

interface Failure {
  exitCode: ExitCodeValue;
  message: string;
  hint?: string;
  /** Stable code for the --json error object. */
  code: string;
}

/** `login`: the login command that stores a key where the failing command looks (its --profile kept). */
const authHint = (login = "certwh login") =>
  `Check CERTWH_API_KEY or run \`${login}\`. Managing webhooks needs an administrator's API key, ` +
  "and DigiCert must have enabled webhooks on the account.";

/** CertCentral's documented webhook error codes, with what they mean for the user. */
const API_CODES: Record<string, Omit<Failure, "code">> = {
  "not_found|webhook": {
    exitCode: ExitCode.notFound,
    message: "CertCentral has no webhook with that id.",
    hint: "Run `certwh status` to see the account's webhook.",
  },
  webhook_invalid_account: {
    exitCode: ExitCode.notFound,
    message: "No webhook is configured in this CertCentral account.",
    hint: "Create one with `certwh create --url https://…`.",
  },
  webhook_configured_already: {
    exitCode: ExitCode.refused,
    message: "The account already has a webhook (CertCentral allows one per account).",
    hint: "Point it elsewhere with `certwh update-url --url https://…`.",
  },
  webhook_invalid_endpoint: {
    exitCode: ExitCode.refused,
    message: "CertCentral refused the endpoint URL: it must be a public https:// URL.",
  },
  webhook_endpoint_error: {
    exitCode: ExitCode.refused,
    // CertCentral's error does not say why (refused connection, an error status or a timeout).
    message:
      "CertCentral could not deliver to the endpoint: no 2xx answer (connection refused, an error status or a timeout; its test event may need exactly 200).",
    hint: "Is the receiver running and reachable from the internet (tunnel up, allowlist not too tight, app answering 200)?",
  },
  webhook_invalid_token: {
    exitCode: ExitCode.refused,
    message: "CertCentral refused the challenge token: it is wrong, expired (30 minutes), or already used.",
    hint: "Send a new one with `certwh challenge`, then `certwh verify --token <token>`.",
  },
  webhook_invalid_action: {
    exitCode: ExitCode.refused,
    message: "CertCentral cannot change the webhook's state now: the verification challenge is not complete.",
    hint: "Run `certwh challenge`, then `certwh verify --token <token>` with the token your endpoint received.",
  },
  bad_request_format: {
    exitCode: ExitCode.refused,
    message: "CertCentral could not read the request body.",
  },
};

/** What the command knows about the call that failed, for wording that fits the situation. */
export interface FailureContext {
  /** The endpoint CertCentral was asked to deliver to (test event, challenge). */
  endpoint?: string;
  /** The endpoint is on this computer and the API is a local sandbox: no internet is involved. */
  localEndpoint?: boolean;
  /** The command that failed (`status`, `logs`, …): a hint must not send the user to the command that failed. */
  command?: string;
  /** `certwh --profile x login` as this command line needs it (a plain `certwh login` stores the default's). */
  login?: string;
}

/** Commands that only read: after their failure, `certwh status` shows nothing new. */
const READ_ONLY = new Set(["status", "logs", "login"]);

/** How long to wait after a 429: what CertCentral asked for (Retry-After) when it asked for more than a minute. */
function waitAdvice(retryAfterMs: number | undefined): string {
  if (retryAfterMs === undefined || retryAfterMs <= 60_000) return "Wait a minute and try again";
  const minutes = Math.ceil(retryAfterMs / 60_000);
  return `CertCentral asked to wait ${minutes} minutes (Retry-After): try again after that`;
}

/** ": <detail>" for the message: the body snippet or what was wrong, else DigiCert's own message. */
function detailOf(err: ApiError): string {
  const detail = err.detail ?? err.message;
  return detail ? `: ${detail}` : "";
}

const refused = (code: string, message: string, hint: string | undefined): Failure => ({
  exitCode: ExitCode.refused,
  code,
  message,
  hint,
});

function describeApiError(err: ApiError, context: FailureContext): Failure {
  // Own entries only: a code such as "constructor" or "__proto__" must not find Object.prototype's members.
  const known = Object.hasOwn(API_CODES, err.code) ? API_CODES[err.code] : undefined;
  const where = `${err.method} ${err.path}`;
  // DigiCert's code is shown printable(); the --json code stays as sent.
  const label = `HTTP ${err.status}${err.code ? ` ${printable(err.code)}` : ""}`;
  const code = err.code || `http_${err.status}`;
  const retried = err.attempts > 1 ? ` after ${err.attempts} attempts` : "";
  if (err.status === 401 || err.status === 403) {
    return {
      exitCode: ExitCode.auth,
      code,
      message: `CertCentral refused the API key (${label}).`,
      hint: authHint(context.login),
    };
  }
  if (err instanceof ApiShapeError) {
    // JSON, but not of the documented shape. The message names the field, never its value.
    return refused(
      "unexpected_answer",
      err.message,
      "Check the base URL (--base-url / CERTWH_BASE_URL); if it is CertCentral's, run again with --verbose and report the field named above.",
    );
  }
  if (err instanceof ApiTooLargeError) {
    return refused(
      "answer_too_large",
      err.message,
      // Only the event log can be asked for less (logs --limit); any other answer is small.
      err.path.includes("/event-logs")
        ? "Ask for fewer entries at a time (e.g. `certwh logs --limit 200`), or check the base URL."
        : "Check the base URL (--base-url / CERTWH_BASE_URL): CertCentral's answers to this call are small.",
    );
  }
  if (err.status >= 200 && err.status < 300) {
    // A yes certwh cannot read is not a refusal.
    return refused(
      err.code || "unreadable_answer",
      `CertCentral's answer to ${where} (HTTP ${err.status}) is not JSON${detailOf(err)}`,
      "Check the base URL (--base-url / CERTWH_BASE_URL): a proxy or another server may have answered.",
    );
  }
  if (err.code === "webhook_endpoint_error" && context.localEndpoint) {
    return refused(
      err.code,
      // Any 2xx passes by default; the sandbox's test-exactly-200 quirk, like DigiCert's test page, needs 200,
      // and the sandbox's message names the quirk only while it is on.
      `The sandbox could not deliver to ${context.endpoint ?? "the endpoint"}: no 2xx answer (connection refused, an error status or a timeout)${err.errors.some((e) => e.message.includes("test-exactly-200")) ? ", or under the test-exactly-200 quirk another 2xx than 200" : ""}.`,
      "Is a receiver running on this computer at that address and port (e.g. `certwh listen`), answering 200?",
    );
  }
  if (known) return { ...known, code: err.code };
  if (err.status === 429 || err.code === "request_limit_exceeded") {
    return refused(
      code,
      `CertCentral's rate limit was hit (${label}) on ${where}${retried}${detailOf(err)}`,
      `${waitAdvice(err.retryAfterMs)} (the limit is 100 requests per 5 seconds per API key).`,
    );
  }
  if (err.status >= 500) {
    return refused(
      code,
      retried
        ? `CertCentral kept failing (${label}) on ${where}${retried}${detailOf(err)}`
        : `CertCentral failed (${label}) on ${where}${detailOf(err)}`,
      context.command && READ_ONLY.has(context.command)
        ? "Try again later."
        : "Try again later; `certwh status` shows the webhook's current state.",
    );
  }
  // A redirect's own sentence says everything (it is never followed: the key would travel with it).
  if (err.status >= 300 && err.status < 400) return refused(code, err.message, err.hint);
  return refused(code, `CertCentral refused ${where} (${label})${detailOf(err)}`, err.hint);
}

// Sentences for connections that failed in a way that says what is wrong (trigger's words too): nothing
// listens at a loopback address (a sandbox or receiver not started), or an https:// URL that reached a
// plain-HTTP server (TLS reads the HTTP answer as a record of an unknown version).

/** undici says ERR_SSL_WRONG_VERSION_NUMBER; node:https says EPROTO ("wrong version number"). */
const PLAIN_HTTP_ERRNOS = new Set(["ERR_SSL_WRONG_VERSION_NUMBER", "EPROTO"]);

type Words = Pick<Failure, "message" | "hint">;

/** An https:// URL whose server answered in plain HTTP: the same URL with http:// is what to use (a sentence). */
export function plainHttpWords(url: string, errno: string | undefined): Words | undefined {
  const parsed = errno && PLAIN_HTTP_ERRNOS.has(errno) ? URL.parse(url) : null;
  if (parsed?.protocol !== "https:") return undefined;
  const plain = `http://${url.slice("https://".length)}`;
  return {
    message: `${url} speaks plain HTTP; use ${plain}.`,
    hint: isLoopbackHost(parsed.hostname)
      ? undefined
      : "Plain http:// is accepted for an API base URL only on loopback; check the URL, or put TLS in front of that server.",
  };
}

/** Connection refused at a loopback URL: nothing was started there (or it stopped). */
export function nothingAnswersWords(url: string, errno: string | undefined, what: string): Words | undefined {
  const host = URL.parse(url)?.hostname;
  if (errno !== "ECONNREFUSED" || host === undefined || !isLoopbackHost(host)) return undefined;
  return { message: `Nothing answers at ${url}: is ${what} running?` };
}

/** A refused loopback base URL or an https:// one answered in plain HTTP: say which, and what to do. */
function networkWords(url: string, errno: string | undefined): Required<Words> | undefined {
  const refusedHere = nothingAnswersWords(url, errno, "`certwh sandbox`");
  if (refusedHere) {
    return {
      message: refusedHere.message,
      hint: "Start it with `certwh sandbox` in another shell, or check --base-url / CERTWH_BASE_URL.",
    };
  }
  const plain = plainHttpWords(url, errno);
  return plain && { message: plain.message, hint: plain.hint ?? "Change --base-url / CERTWH_BASE_URL." };
}

/** Turn anything thrown by a command into what the user sees and the exit code. */
export function describeFailure(err: unknown, context: FailureContext = {}): Failure {
  let failure: Failure;
  if (err instanceof CertwhError) {
    failure = { exitCode: err.exitCode, message: err.message, hint: err.hint, code: err.code ?? "error" };
  } else if (err instanceof ApiError) {
    failure = describeApiError(err, context);
  } else if (err instanceof ApiTimeoutError) {
    failure = {
      exitCode: ExitCode.timeout,
      code: "timeout",
      message: `${err.host} did not answer within ${secondsText(err.timeoutMs)}${err.attempts > 1 ? ` (${err.attempts} attempts)` : ""}.`,
      hint: "Raise --request-timeout, or check your network.",
    };
  } else if (err instanceof NetworkError) {
    failure = refused(
      "network",
      `${noAnswerWords(err.host, err.errno)}.`,
      "Check the network, a proxy, or the --base-url / CERTWH_BASE_URL value.",
    );
    // Through a proxy, a plain-HTTP answer inside the tunnel is the proxy's own page, not the API's.
    const words = err.url !== undefined && !err.proxy ? networkWords(err.url, err.errno) : undefined;
    if (words) failure = { ...failure, ...words };
    else if (err.proxy && err.errno && PLAIN_HTTP_ERRNOS.has(err.errno)) {
      failure = {
        ...failure,
        message: `The proxy ${err.proxy.url} answered in plain HTTP inside the tunnel to ${err.host} (a proxy page, or TLS interception certwh does not accept).`,
        hint: "Check the proxy (HTTPS_PROXY / HTTP_PROXY), or list the host in NO_PROXY.",
      };
    } else if (err.proxy?.status !== undefined) {
      failure = {
        ...failure,
        message: `The proxy ${err.proxy.url} refused the tunnel to ${err.host} (HTTP ${err.proxy.status}).`,
        hint: "Check the proxy and its credentials in HTTPS_PROXY / HTTP_PROXY, or list the host in NO_PROXY.",
      };
    } else if (err.proxy) {
      failure = {
        ...failure,
        hint: `The call went through the proxy ${err.proxy.url}: check it (HTTPS_PROXY / HTTP_PROXY, NO_PROXY), the network, or the --base-url / CERTWH_BASE_URL value.`,
      };
    }
  } else if (isFsError(err) && typeof err.path === "string") {
    // A file-system failure no command put in words: still the path and the cause, exit 2, not "a bug".
    const f = fileError(err, err.path, { what: "the file", action: "use" });
    failure = { exitCode: f.exitCode, message: f.message, hint: f.hint, code: "file" };
  } else {
    const text = err instanceof Error ? err.message : String(err);
    failure = {
      exitCode: ExitCode.internal,
      code: "internal",
      message: `Unexpected error: ${text}`,
      hint: "This is a bug in certwh. Run again with --verbose and report it with the output.",
    };
  }
  return { ...failure, message: redact(failure.message), hint: failure.hint && redact(failure.hint) };
}

/** What a caller may change about a failure when it knows better words; the exit code and code stay. */
interface Rewording {
  message?: string;
  /** The new hint, or a function of the hint describeFailure chose (e.g. to add a line after it). */
  hint?: string | ((hint: string | undefined) => string | undefined);
  /** The failure was already shown (e.g. as an NDJSON line): main prints no error document for it. */
  reported?: boolean;
}

/**
 * The failure as describeFailure words it, re-thrown as a CertwhError with other words: the exit code and
 * the code are kept, the original error is the cause.
 */
export function reword(err: unknown, change: Rewording = {}, context?: FailureContext): CertwhError {
  const f = describeFailure(err, context);
  const hint = typeof change.hint === "function" ? change.hint(f.hint) : (change.hint ?? f.hint);
  return new CertwhError(change.message ?? f.message, f.exitCode, {
    code: f.code,
    hint,
    cause: err,
    reported: change.reported,
  });
}

/** The --json error document on stdout: {"error": {"exit_code", "code", "message"}}. */
export function errorDocument(failure: Pick<Failure, "exitCode" | "code" | "message">) {
  return { error: { exit_code: failure.exitCode, code: failure.code, message: failure.message } };
}

/**
 * What --json prints on stdout for a failure: listen's stdout is NDJSON whose lines all carry a "type", so its
 * failure is the line {"type":"error", "exit_code", "code", "message"} (the shape listen's own error lines
 * have); every other command prints the errorDocument.
 */
export function jsonError(
  command: string | undefined,
  failure: Pick<Failure, "exitCode" | "code" | "message">,
) {
  const document = errorDocument(failure);
  return command === "listen" ? { type: "error", ...document.error } : document;
}
