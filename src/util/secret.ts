// Webhook secrets (the value CertCentral sends verbatim in X-WEBHOOK-KEY): validation, the two ways a
// user may hand one over (a file or an environment variable, never argv), and generation.
// Every secret read or generated here is registered with redact() so it is masked in any output.

import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { UsageError } from "../errors.js";
import { registerSecret } from "./redact.js";

/** CertCentral's documented minimum (spec §13.2). */
export const MIN_SECRET_LENGTH = 32;

/**
 * Why `value` is not acceptable as a webhook secret, as a sentence, or null when it is fine.
 * The sentence never contains the value.
 */
export function validateSecret(value: string): string | null {
  if (value.length === 0) return "The webhook secret is empty.";
  // Whitespace and control characters: header values cannot carry them reliably, and a stray newline
  // from `echo` or a copy-paste would make every delivery fail the key check.
  if (/[\s\p{Cc}]/u.test(value)) {
    return "The webhook secret contains whitespace or control characters.";
  }
  if ([...value].length < MIN_SECRET_LENGTH) {
    return `The webhook secret is too short: CertCentral requires at least ${MIN_SECRET_LENGTH} characters.`;
  }
  return null;
}

function checked(value: string, source: string): string {
  const problem = validateSecret(value);
  if (problem) {
    throw new UsageError(`${problem} (read from ${source})`, {
      hint: "Generate one with `certwh create --generate-secret`, or e.g. `openssl rand -base64 32 | tr -d '\\n'`.",
    });
  }
  registerSecret(value);
  return value;
}

/**
 * Read a secret from a file. One trailing line break (`\n` or `\r\n`) is removed, since editors and
 * `echo` add one; anything else is validated as is. UsageError when unreadable or invalid.
 */
export async function readSecretFromFile(path: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(`Cannot read the secret file ${path}${code ? ` (${code})` : ""}.`);
  }
  return checked(text.replace(/\r?\n$/, ""), `the file ${path}`);
}

/** Read a secret from the environment variable `name`. UsageError when unset, empty or invalid. */
export function readSecretFromEnv(name: string, env: NodeJS.ProcessEnv): string {
  const value = env[name];
  if (value === undefined || value === "") {
    throw new UsageError(`The environment variable ${name} is not set or empty.`, {
      hint: `Export the webhook secret as ${name}, or use --secret-file.`,
    });
  }
  return checked(value, `the environment variable ${name}`);
}

/** A new secret: 32 random bytes, base64url (43 characters). Registered for redaction. */
export function generateSecret(): string {
  const value = randomBytes(32).toString("base64url");
  registerSecret(value);
  return value;
}
