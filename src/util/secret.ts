// Webhook secrets (the value CertCentral sends verbatim in X-WEBHOOK-KEY): validation, the two ways a
// user may hand one over (a file or an environment variable, never argv), and generation.
// Every secret read or generated here is registered with redact() so it is masked in any output.

import { randomBytes } from "node:crypto";
import { FileError, UsageError } from "../errors.js";
import { readBounded } from "./read-bounded.js";
import { registerSecret } from "./redact.js";

/** The most certwh reads of a secret file: a secret is tens of bytes. */
const SECRET_FILE_LIMIT_BYTES = 16 * 1024;

/** CertCentral's documented minimum (spec §13.2). */
const MIN_SECRET_LENGTH = 32;

/**
 * The receiver's rule, for a secret it compares X-WEBHOOK-KEY with (set elsewhere, e.g. in CertCentral's UI,
 * which asks only for 32+ characters): why no header could carry `value` unchanged, as a sentence, or null
 * when one can. RFC 9110 field values carry spaces and tabs inside; a header loses leading and trailing
 * whitespace, cannot carry control characters, and CertCentral does not document how it encodes other
 * characters (UTF-8 or Latin-1). The sentence never contains the value.
 */
export function receivedSecretProblem(value: string): string | null {
  if (value.length === 0) return "The webhook secret is empty.";
  if (/[^\x20-\x7e\t]/.test(value)) {
    return "The webhook secret contains control characters (a line break?) or characters other than ASCII.";
  }
  if (/^[ \t]|[ \t]$/.test(value)) return "The webhook secret contains leading or trailing whitespace.";
  return null;
}

/**
 * certwh's rule for a secret it sets or sends (create, update-url, trigger): printable ASCII without any
 * whitespace, so that a stray space or newline from `echo` or a copy-paste never becomes part of a secret.
 * Stricter than receivedSecretProblem; CertCentral's length minimum is validateSecret's.
 */
function strictSecretProblem(value: string): string | null {
  if (value.length === 0) return "The webhook secret is empty.";
  if (/[\s\p{Cc}]/u.test(value)) return "The webhook secret contains whitespace or control characters.";
  if (/[^\x21-\x7e]/.test(value)) {
    return "The webhook secret contains characters other than printable ASCII (letters, digits and symbols).";
  }
  return null;
}

/**
 * Why `value` is not acceptable as a webhook secret, as a sentence, or null when it is fine.
 * The sentence never contains the value.
 */
export function validateSecret(value: string): string | null {
  const problem = strictSecretProblem(value);
  if (problem) return problem;
  if (value.length < MIN_SECRET_LENGTH) {
    return `The webhook secret is too short: CertCentral requires at least ${MIN_SECRET_LENGTH} characters.`;
  }
  return null;
}

/** The command a refused secret's hint names by default; update-url names its own (see SecretHint). */
const GENERATE_WITH = "certwh create --generate-secret";

/**
 * What a refused secret's hint suggests. A command that sets the webhook's secret: the command that generates
 * one (`generateWith`, e.g. `certwh update-url --url … --generate-secret`; create's by default). A command
 * that sends the webhook's secret to a receiver (trigger, replay, inspect; `sendsWebhookSecret`): where to
 * read that secret, since a new one would not be what the receiver expects.
 */
export type SecretHint = { generateWith?: string; sendsWebhookSecret?: boolean };

function refusalHint(o: SecretHint): string {
  if (o.sendsWebhookSecret)
    return "Send the webhook's own secret, the one the receiver checks: `certwh status --show-secret` shows it.";
  return `Generate one with \`${o.generateWith ?? GENERATE_WITH}\`, or e.g. \`openssl rand -base64 32 | tr -d '\\n'\`.`;
}

function checked(value: string, source: string, o: SecretHint = {}): string {
  const problem = validateSecret(value);
  if (problem) {
    // Where it came from belongs to the sentence: before its full stop.
    throw new UsageError(`${problem.replace(/\.$/, "")} (read from ${source}).`, { hint: refusalHint(o) });
  }
  registerSecret(value);
  return value;
}

/**
 * Read a secret from a file (at most SECRET_FILE_LIMIT_BYTES; `signal` stops a read that waits on a FIFO).
 * One trailing line break (`\n` or `\r\n`) is removed, since editors and `echo` add one; anything else is
 * validated as is. A FileError naming the cause when unreadable, a UsageError when invalid.
 */
export async function readSecretFromFile(
  path: string,
  signal?: AbortSignal,
  hint: SecretHint = {},
): Promise<string> {
  let text: string;
  try {
    text = await readBounded(path, {
      limitBytes: SECRET_FILE_LIMIT_BYTES,
      role: { what: "the secret file (--secret-file)" },
      signal,
    });
  } catch (err) {
    const code = err instanceof FileError ? err.errno : undefined;
    // Someone may have passed the secret itself instead of a path: then the "path" is never shown.
    if (code === "ENOENT" && !/[/\\.]/.test(path) && path.length >= MIN_SECRET_LENGTH) {
      registerSecret(path);
      throw new UsageError(
        "--secret-file names no file, and the value looks like it may be the secret itself.",
        { hint: "Put the secret in a file (mode 0600) and pass its path, or use --secret-env VAR." },
      );
    }
    throw err;
  }
  return checked(text.replace(/\r?\n$/, ""), `the file ${path}`, hint);
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const ENV_HINT =
  "Export the webhook secret in a variable and pass the variable's NAME (e.g. --secret-env " +
  "CERTCENTRAL_WEBHOOK_SECRET), never the secret itself; or use --secret-file.";

/**
 * Check what was given to --secret-env. A user may pass the secret itself instead of a variable's name,
 * so the value is never put in a message, and one that looks like a secret (not a variable name, or as
 * long as a secret) is registered for redaction.
 */
export function checkSecretEnvName(name: string): string {
  const validName = ENV_NAME.test(name);
  if (!validName || name.length >= MIN_SECRET_LENGTH) registerSecret(name);
  if (name.trim() === "") throw new UsageError("--secret-env needs the name of an environment variable.");
  if (!validName) {
    throw new UsageError(
      "--secret-env needs the name of an environment variable; the value given is not a variable name " +
        "(it may be the secret itself, so it is not shown).",
      { hint: ENV_HINT },
    );
  }
  return name;
}

/**
 * Read a secret from the environment variable `name` (as given to --secret-env; never shown).
 * UsageError when the name is not one, or the variable is unset, empty or invalid.
 */
export function readSecretFromEnv(name: string, env: NodeJS.ProcessEnv, hint: SecretHint = {}): string {
  checkSecretEnvName(name);
  // Own variables only: "constructor", "toString" or "__proto__" would otherwise read Object.prototype.
  const value = Object.hasOwn(env, name) ? env[name] : undefined;
  const asLongAsASecret = name.length >= MIN_SECRET_LENGTH;
  // A name as long as a secret may be the secret itself: only a shorter one is shown.
  const variable = asLongAsASecret
    ? "the environment variable named by --secret-env"
    : `the environment variable ${name} named by --secret-env`;
  if (typeof value !== "string" || value === "") {
    throw new UsageError(
      asLongAsASecret
        ? `The environment variable named by --secret-env is not set or empty, and the name is ${MIN_SECRET_LENGTH} ` +
            "characters or more: it may be the secret itself (it is not shown)."
        : `The environment variable ${name} named by --secret-env is not set or empty.`,
      { hint: ENV_HINT },
    );
  }
  return checked(value, variable, hint);
}

/** A new secret: 32 random bytes, base64url (43 characters). Registered for redaction. */
export function generateSecret(): string {
  const value = randomBytes(32).toString("base64url");
  registerSecret(value);
  return value;
}
