// The config file's lock: changes are serialised across processes by a file next to it (config.json.lock,
// created with O_EXCL, mode 0600, holding the owner's pid and host), so two `login`s or `config set`s at
// once each re-read the file under the lock and neither loses the other's profile. A lock left by a run
// that crashed (its process gone, or older than LOCK_STALE_MS) is taken over.

import { randomBytes } from "node:crypto";
import {
  closeSync,
  fstatSync,
  linkSync,
  lstatSync,
  openSync,
  readFileSync,
  renameSync,
  type Stats,
  unlinkSync,
  writeSync,
} from "node:fs";
import { hostname } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { FileError } from "../errors.js";
import { type FileRole, fileError } from "../util/fs-error.js";
import { isObject } from "../util/is-object.js";

const WRITING: FileRole = { what: "the config file", action: "write" };

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

/** How long a change waits for another process's lock before giving up. */
export const LOCK_WAIT_MS = 5000;
/** A lock older than this is left over from a run that crashed (a change holds it for milliseconds). */
export const LOCK_STALE_MS = 30_000;
const LOCK_POLL_MS = 25;

export function lockFilePath(path: string): string {
  return `${path}.lock`;
}

interface LockOwner {
  pid?: number;
  host?: string;
}

function readOwner(lockPath: string): LockOwner {
  try {
    const value: unknown = JSON.parse(readFileSync(lockPath, "utf8"));
    return isObject(value) ? (value as LockOwner) : {};
  } catch {
    return {};
  }
}

/** Whether the process that wrote the lock is known to be gone (only decidable on this host). */
function ownerIsGone(owner: LockOwner): boolean {
  if (typeof owner.pid !== "number" || owner.host !== hostname()) return false;
  try {
    process.kill(owner.pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "ESRCH";
  }
}

/**
 * Remove the lock `seen` if it is still the one at lockPath: it is renamed away first (atomic), and put
 * back when another process replaced it in the meantime. False when it could not be moved (e.g. a folder
 * certwh may not write): the caller waits as for a live lock instead of trying again at once.
 */
function takeOver(lockPath: string, seen: Stats): boolean {
  const aside = `${lockPath}.stale-${process.pid}-${randomBytes(4).toString("hex")}`;
  try {
    renameSync(lockPath, aside);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "ENOENT"; // already gone: the next attempt creates it
  }
  const moved = lstatOrUndefined(aside);
  if (moved && moved.ino !== seen.ino) {
    // A fresh lock of another process: give it back unless yet another one was created meanwhile.
    try {
      linkSync(aside, lockPath);
    } catch {
      // EEXIST: the lock is held again; the fresh one we moved is lost, as its owner's release will find.
    }
  }
  try {
    unlinkSync(aside);
  } catch {
    // Nothing to clean up.
  }
  return true;
}

/**
 * Run `change` holding the config's lock file. Waits up to LOCK_WAIT_MS for another holder; takes over a
 * lock whose process is gone or that is older than LOCK_STALE_MS; otherwise fails with a FileError
 * (nothing was changed).
 */
export async function withConfigLock<T>(path: string, change: () => Promise<T>): Promise<T> {
  const lockPath = lockFilePath(path);
  const deadline = Date.now() + LOCK_WAIT_MS;
  let fd: number | undefined;
  let owner: LockOwner = {};
  let held: Stats | undefined;
  for (;;) {
    try {
      fd = openSync(lockPath, "wx", 0o600);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw fileError(err, lockPath, WRITING);
    }
    held = lstatOrUndefined(lockPath);
    if (!held) continue; // released between open and stat
    owner = readOwner(lockPath);
    const stale = Date.now() - held.mtimeMs > LOCK_STALE_MS || ownerIsGone(owner);
    if (stale && takeOver(lockPath, held)) continue;
    if (Date.now() >= deadline) {
      const by = typeof owner.pid === "number" ? ` by process ${owner.pid}` : "";
      const age = Math.max(0, Math.round((Date.now() - held.mtimeMs) / 1000));
      throw new FileError(
        `Could not change the config file ${path}: another certwh is changing it (the lock ${lockPath} is ` +
          `held${by} for ${age}s). Nothing was changed.`,
        path,
        "ELOCKED",
        {
          hint: `Try again; if no other certwh is running, remove ${lockPath} (it is taken over after ${LOCK_STALE_MS / 1000}s).`,
        },
      );
    }
    await sleep(LOCK_POLL_MS + Math.floor(Math.random() * LOCK_POLL_MS));
  }
  let mine: Stats | undefined;
  try {
    writeSync(fd, JSON.stringify({ pid: process.pid, host: hostname() }));
    mine = fstatSync(fd);
  } catch (err) {
    closeSync(fd);
    unlinkSync(lockPath);
    throw fileError(err, lockPath, WRITING);
  }
  closeSync(fd);
  try {
    return await change();
  } finally {
    // Only our own lock: one taken over as stale (this run was paused for long) belongs to another.
    if (lstatOrUndefined(lockPath)?.ino === mine.ino) {
      try {
        unlinkSync(lockPath);
      } catch {
        // Already removed.
      }
    }
  }
}
