// Turns a SecretSource (from the flags) into the value to send. Runs before any API call, so a missing
// file or a weak secret is a UsageError with nothing sent. Values are registered for redaction by
// src/util/secret.ts, so they never appear in output.

import { randomBytes } from "node:crypto";
import type { Stats } from "node:fs";
import { link, realpath, rename, rm, stat, unlink, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { CertwhError, UsageError } from "../../errors.js";
import { type FileRole, fileError, fileKind, notRegular } from "../../util/fs-error.js";
import { generateSecret, readSecretFromEnv, readSecretFromFile } from "../../util/secret.js";
import type { CommandContext } from "../context.js";
import type { SecretSource } from "./webhook-flags.js";

export interface ResolvedSecret {
  /** The secret to send; undefined to keep (update) or omit (create) it. "" removes it (update only). */
  value?: string;
  generated: boolean;
  /** Where a generated secret goes (mode 0600), written by saveGeneratedSecret. */
  writtenTo?: string;
  /** writtenTo is an existing regular file the user agreed to replace (--yes, --force, or at the prompt). */
  overwrite?: boolean;
}

/** How a command lets resolveSecret read files and decide about an existing --secret-out file. */
interface SecretOptions {
  signal?: AbortSignal;
  /** Replace an existing --secret-out file without asking (--yes; listen's --force). */
  force?: boolean;
  /** Ask a person whether to replace it; undefined when nobody can be asked (then it is refused). */
  confirm?: (question: string) => Promise<boolean>;
  /** The command a refused secret's hint suggests for generating one (default: create's). */
  generateWith?: string;
  /** The command sends the webhook's secret to a receiver (trigger, replay, inspect): the hint says where it is. */
  sendsWebhookSecret?: boolean;
}

/** The usual SecretOptions of a command: --yes replaces, a terminal asks, a script is refused. */
export function secretOptions(
  ctx: Pick<CommandContext, "signal" | "globals" | "interactive" | "prompt">,
  force = false,
): SecretOptions {
  return {
    signal: ctx.signal,
    force: force || ctx.globals.yes === true,
    confirm: ctx.interactive ? (question) => ctx.prompt.confirm(question, "--yes", false) : undefined,
  };
}

const WRITING: FileRole = { what: "the --secret-out file", action: "write" };

function refuseExisting(path: string): never {
  throw new UsageError(
    `--secret-out: ${path} already exists, and certwh replaces a secret file only when told to.`,
    {
      hint:
        "Pass --yes to replace it (the secret in it is lost), remove it if nothing uses it, or choose another path with --secret-out. " +
        "After a failed run, check `certwh status` first: the webhook may already use that secret.",
    },
  );
}

/**
 * Before anything is sent: may the generated secret be written to `path`? A new file in an existing folder:
 * yes. An existing regular file: with `force`, or when the person confirms; otherwise refused. Anything
 * else (a folder, a FIFO, a device, a missing folder on the way): a FileError. True when it replaces a file.
 */
async function checkSecretOut(path: string, opts: SecretOptions): Promise<boolean> {
  let st: Stats;
  try {
    st = await stat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw fileError(err, path, WRITING);
    // Missing: its folder must be there (certwh does not create folders for secrets).
    const folder = await stat(dirname(path)).catch((e: unknown) => {
      throw fileError(e, path, WRITING);
    });
    if (!folder.isDirectory()) throw fileError({ code: "ENOTDIR" }, path, WRITING);
    return false;
  }
  if (!st.isFile()) throw notRegular(path, fileKind(st), WRITING);
  if (opts.force) return true;
  if (!opts.confirm) refuseExisting(path);
  const replace = await opts.confirm(`Replace ${path} with the new secret? The secret in it now is lost.`);
  if (!replace) {
    throw new UsageError(`--secret-out: kept ${path} as it is; nothing was sent.`, {
      hint: "Choose another path with --secret-out, or pass --yes to replace the file.",
    });
  }
  return true;
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
 * the receiver needs it to accept the test event and the challenge that follow. The write is atomic (a
 * temporary file, mode 0600, in the same folder, then renamed), so a reader never sees half a secret. A file
 * that appeared since resolveSecret checked is not replaced unless replacing was agreed.
 */
export async function saveGeneratedSecret(secret: ResolvedSecret): Promise<void> {
  if (secret.writtenTo === undefined || secret.value === undefined) return;
  const path = secret.writtenTo;
  // Replacing through a symlink replaces the file it points to, not the link.
  const target = secret.overwrite ? await realpath(path).catch(() => path) : path;
  const temp = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString("hex")}.tmp`);
  try {
    await writeFile(temp, `${secret.value}\n`, { flag: "wx", mode: 0o600, flush: true });
    if (secret.overwrite) await rename(temp, target);
    else await linkNew(temp, target);
  } catch (err) {
    if (err instanceof CertwhError) throw err;
    throw fileError(err, path, WRITING);
  } finally {
    await rm(temp, { force: true }).catch(() => undefined);
  }
}

/** Put `temp` at `target` only if nothing is there (a hard link fails with EEXIST instead of replacing). */
async function linkNew(temp: string, target: string): Promise<void> {
  try {
    await link(temp, target);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "EEXIST") refuseExisting(target);
    // File systems without hard links: check, then rename (a small window instead of none).
    if (code !== "EPERM" && code !== "ENOTSUP" && code !== "EOPNOTSUPP" && code !== "ENOSYS") throw err;
    const exists = await stat(target).then(
      () => true,
      () => false,
    );
    if (exists) refuseExisting(target);
    await rename(temp, target);
  }
}

export async function resolveSecret(
  source: SecretSource,
  env: NodeJS.ProcessEnv,
  opts: SecretOptions = {},
): Promise<ResolvedSecret> {
  switch (source.kind) {
    case "none":
      return { generated: false };
    case "remove":
      return { value: "", generated: false };
    case "file":
      return { value: await readSecretFromFile(source.path, opts.signal, opts), generated: false };
    case "env":
      return { value: readSecretFromEnv(source.name, env, opts), generated: false };
    case "generate": {
      // Decide about an existing file before any request; the file is written later.
      const overwrite = source.outFile !== undefined && (await checkSecretOut(source.outFile, opts));
      return { value: generateSecret(), generated: true, writtenTo: source.outFile, overwrite };
    }
  }
}
