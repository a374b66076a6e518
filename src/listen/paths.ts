// Where listen keeps its journal by default. One file (not one per day): replay reads a single place,
// and `--journal` lets a user rotate or split it themselves.
//
// The journal is state (it grows, it can be deleted), not configuration: it lives under $XDG_STATE_HOME,
// not next to config.json. Earlier versions kept it in the config directory; the first run that uses the
// default moves such a file over (and says so, once: afterwards there is nothing left to move).

import { constants } from "node:fs";
import { chmod, copyFile, lstat, rename, stat, unlink } from "node:fs/promises";
import { dirname, join } from "node:path";
import { makeDirs } from "../util/make-dirs.js";
import { xdgDir } from "../util/xdg.js";

export type JournalKind = "account" | "sandbox";

// Sandbox events are made up: kept apart, a later `certwh replay` never sends them to a real app.
const fileName = (kind: JournalKind) => (kind === "sandbox" ? "sandbox-journal.ndjson" : "journal.ndjson");

/** certwh's state folder: `$XDG_STATE_HOME/certwh`, else `~/.local/state/certwh`. */
export const stateDir = (env: NodeJS.ProcessEnv): string =>
  join(xdgDir(env, "XDG_STATE_HOME", join(".local", "state")), "certwh");

/**
 * `$XDG_STATE_HOME/certwh/journal.ndjson`, else `~/.local/state/certwh/journal.ndjson` on every platform
 * (`sandbox-journal.ndjson` for `listen --sandbox`).
 */
export function defaultJournalPath(
  env: NodeJS.ProcessEnv = process.env,
  kind: JournalKind = "account",
): string {
  return join(stateDir(env), fileName(kind));
}

/** Where versions before the move kept it: certwh's config directory ($XDG_CONFIG_HOME/certwh). */
export function formerJournalPath(
  env: NodeJS.ProcessEnv = process.env,
  kind: JournalKind = "account",
): string {
  return join(xdgDir(env, "XDG_CONFIG_HOME", ".config"), "certwh", fileName(kind));
}

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

/**
 * Moves a journal left at the former default to the new default, when there is one and nothing is at the
 * new place yet (a journal already there is never overwritten; the old file then stays where it is).
 * Returns where it came from and went, for the one sentence that tells the user.
 */
export async function moveFormerJournal(
  env: NodeJS.ProcessEnv = process.env,
  kind: JournalKind = "account",
): Promise<{ from: string; to: string } | undefined> {
  const from = formerJournalPath(env, kind);
  const to = defaultJournalPath(env, kind);
  if (from === to || !(await exists(from)) || (await exists(to))) return undefined;
  await makeDirs(dirname(to), 0o700);
  try {
    await rename(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EXDEV") throw err;
    // Another file system: copy (never over an existing file), then remove the original.
    await copyFile(from, to, constants.COPYFILE_EXCL);
    await unlink(from);
  }
  // It holds tokens: 0600 like every journal, whatever mode the old file had (a link keeps its target's).
  if ((await lstat(to)).isFile()) await chmod(to, 0o600);
  return { from, to };
}
