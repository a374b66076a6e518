// Turns a SecretSource (from the flags) into the value to send. Runs before any API call, so a missing
// file or a weak secret is a UsageError with nothing sent. Values are registered for redaction by
// src/util/secret.ts, so they never appear in output.

import { existsSync } from "node:fs";
import { unlink, writeFile } from "node:fs/promises";
import { UsageError } from "../../errors.js";
import { generateSecret, readSecretFromEnv, readSecretFromFile } from "../../util/secret.js";
import type { SecretSource } from "./webhook-flags.js";

export interface ResolvedSecret {
  /** The secret to send; undefined to keep (update) or omit (create) it. "" removes it (update only). */
  value?: string;
  generated: boolean;
  /** Where a generated secret goes (mode 0600), written by saveGeneratedSecret. */
  writtenTo?: string;
}

function refuseExisting(path: string): never {
  throw new UsageError(`--secret-out: ${path} already exists; certwh does not overwrite secret files.`, {
    hint:
      `Remove ${path} if nothing uses the secret in it, or choose another path with --secret-out. ` +
      "After a failed run, check `certwh status` first: the webhook may already use that secret.",
  });
}

/**
 * Remove the file saveGeneratedSecret wrote, after CertCentral refused the request that would have set
 * its secret (so a rerun is not blocked by "already exists"). True when a file was removed.
 */
export async function discardSecretFile(secret: ResolvedSecret): Promise<boolean> {
  if (secret.writtenTo === undefined || secret.value === undefined) return false;
  try {
    await unlink(secret.writtenTo);
    return true;
  } catch {
    return false; // already gone (or never written): nothing to clean up
  }
}

/**
 * Write a generated secret to --secret-out. Callers do it just before the request that sets the secret:
 * the receiver needs it to accept the test event and the challenge that follow. The file must not exist
 * yet, so an older secret is never overwritten by accident.
 */
export async function saveGeneratedSecret(secret: ResolvedSecret): Promise<void> {
  if (secret.writtenTo === undefined || secret.value === undefined) return;
  const path = secret.writtenTo;
  try {
    await writeFile(path, `${secret.value}\n`, { mode: 0o600, flag: "wx" });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "EEXIST") refuseExisting(path);
    throw new UsageError(`--secret-out: cannot write ${path}${code ? ` (${code})` : ""}.`);
  }
}

export async function resolveSecret(source: SecretSource, env: NodeJS.ProcessEnv): Promise<ResolvedSecret> {
  switch (source.kind) {
    case "none":
      return { generated: false };
    case "remove":
      return { value: "", generated: false };
    case "file":
      return { value: await readSecretFromFile(source.path), generated: false };
    case "env":
      return { value: readSecretFromEnv(source.name, env), generated: false };
    case "generate": {
      // Fail before any request when the file is already there; it is written later.
      if (source.outFile !== undefined && existsSync(source.outFile)) refuseExisting(source.outFile);
      return { value: generateSecret(), generated: true, writtenTo: source.outFile };
    }
  }
}
