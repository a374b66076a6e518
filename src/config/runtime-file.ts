// Runtime files: a running `certwh listen --sandbox` or `certwh sandbox` announces itself in one small JSON
// file, so `certwh trigger <event>` in another shell finds it without copying a URL and a key. The files
// live in a 0700 folder of this user and are 0600 each: the sandbox's throwaway API key is in them, and
// only there (never in argv). Nothing here talks to the network; src/commands/runtime/ probes and chooses.

import { randomBytes } from "node:crypto";
import { chmodSync, lstatSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeDirsSync } from "../util/make-dirs.js";
import { xdgDir, xdgVariable } from "../util/xdg.js";

/** What announced itself: listen's in-process sandbox, or a `certwh sandbox`. */
export type RuntimeKind = "listen-sandbox" | "sandbox";

export interface RuntimeEntry {
  kind: RuntimeKind;
  pid: number;
  /** The sandbox's base URL (…/services/v2), what `trigger --sandbox-url` takes. */
  url: string;
  /** The sandbox's API key. Stays in this file: never printed, never in argv. */
  apiKey: string;
  /** ISO 8601; the newest wins when several run. */
  startedAt: string;
}

/** A file found in the folder: its entry, or undefined when it cannot be read as one (then it is stale). */
interface RuntimeFile {
  path: string;
  entry?: RuntimeEntry;
}

const FILE_SUFFIX = ".json";

/**
 * `$XDG_RUNTIME_DIR/certwh` (a per-user, in-memory folder emptied at logout), else the state folder
 * `$XDG_STATE_HOME/certwh`, else `~/.local/state/certwh`.
 */
export function runtimeDir(env: NodeJS.ProcessEnv = process.env): string {
  const runtime = xdgVariable(env, "XDG_RUNTIME_DIR");
  return join(runtime ?? xdgDir(env, "XDG_STATE_HOME", join(".local", "state")), "certwh");
}

/** The folder, made 0700 if it is new; an existing one of another user is refused (its files could lie). */
function ensureDir(dir: string): void {
  makeDirsSync(dir, 0o700);
  const st = lstatSync(dir);
  if (!st.isDirectory()) throw new Error(`${dir} is not a folder`);
  if (typeof process.getuid === "function" && st.uid !== process.getuid())
    throw new Error(`${dir} belongs to another user`);
  if ((st.mode & 0o077) !== 0) chmodSync(dir, 0o700);
}

/** Write the entry atomically (a 0600 temporary file renamed into place); returns the file's path. */
export function writeRuntimeFile(dir: string, entry: RuntimeEntry): string {
  ensureDir(dir);
  const path = join(dir, `${entry.kind}-${entry.pid}${FILE_SUFFIX}`);
  const temp = join(dir, `.${entry.kind}-${entry.pid}-${randomBytes(4).toString("hex")}.tmp`);
  writeFileSync(temp, `${JSON.stringify(entry)}\n`, { flag: "wx", mode: 0o600, flush: true });
  renameSync(temp, path);
  return path;
}

/**
 * Remove a runtime file; nothing is reported (a file left behind is recognised as stale). Synchronous, so it
 * also works in an exit handler.
 */
export function removeRuntimeFile(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch {
    // Left for the next run to find stale.
  }
}

function isEntry(value: unknown): value is RuntimeEntry {
  if (value === null || typeof value !== "object") return false;
  const v = value as Record<string, unknown>;
  return (
    (v.kind === "listen-sandbox" || v.kind === "sandbox") &&
    Number.isSafeInteger(v.pid) &&
    (v.pid as number) > 0 &&
    typeof v.url === "string" &&
    typeof v.apiKey === "string" &&
    v.apiKey !== "" &&
    typeof v.startedAt === "string" &&
    !Number.isNaN(Date.parse(v.startedAt))
  );
}

/** Every runtime file in the folder (none when it does not exist). Files of another user are skipped. */
export function readRuntimeFiles(dir: string): RuntimeFile[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
  const uid = typeof process.getuid === "function" ? process.getuid() : undefined;
  const files: RuntimeFile[] = [];
  for (const name of names.filter((n) => n.endsWith(FILE_SUFFIX) && !n.startsWith(".")).sort()) {
    const path = join(dir, name);
    try {
      const st = lstatSync(path);
      if (!st.isFile() || (uid !== undefined && st.uid !== uid)) continue;
      const value: unknown = JSON.parse(readFileSync(path, "utf8"));
      files.push({ path, entry: isEntry(value) ? value : undefined });
    } catch {
      files.push({ path }); // unreadable or half-written by a crashed run: stale
    }
  }
  return files;
}

/** Whether a process with this id exists (EPERM: it does, under another user). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
