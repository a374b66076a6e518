// The config file: $XDG_CONFIG_HOME/certwh/config.json (default ~/.config/certwh/config.json), written
// through conf (atomic temp file + rename, mode 0600) in a 0700 directory. Reading never creates anything:
// it goes through readBounded (at most CONFIG_LIMIT_BYTES, no blocking on a FIFO), and conf (whose
// constructor makes the directory) is only constructed on a write, imported lazily.
// Every file-system failure is a FileError naming the path and the cause (exit 2).
// Changes are made under config-lock.ts's lock, so two `login`s or `config set`s at once keep both.

import { chmodSync, lstatSync, type Stats, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { FileError, UsageError } from "../errors.js";
import { type FileRole, fileError, fileKind, isFsError, notRegular } from "../util/fs-error.js";
import { isObject } from "../util/is-object.js";
import { jsonSyntaxReason } from "../util/json-error.js";
import { makeDirsSync } from "../util/make-dirs.js";
import { readBounded } from "../util/read-bounded.js";
import { xdgDir } from "../util/xdg.js";
import { withConfigLock } from "./config-lock.js";
import type { Region } from "./types.js";

/** What one profile may hold. Keys are snake_case as in `certwh config set <key>`. */
export interface ProfileSettings {
  region?: Region;
  base_url?: string;
  /** Seconds. */
  request_timeout?: number;
  api_key?: string;
}

export interface StoredConfig {
  profiles: Record<string, ProfileSettings>;
}

const CONFIG_FILE_NAME = "config.json";
/** The most certwh reads of the config file: a few profiles take a few hundred bytes. */
const CONFIG_LIMIT_BYTES = 256 * 1024;

const READING: Omit<FileRole, "action"> = { what: "the config file" };
const WRITING: FileRole = { what: "the config file", action: "write" };

/** certwh's config directory: one rule on every platform (conf's own path logic differs on macOS/Windows). */
export function configDir(env: NodeJS.ProcessEnv): string {
  return join(xdgDir(env, "XDG_CONFIG_HOME", ".config"), "certwh");
}

export function configFilePath(env: NodeJS.ProcessEnv): string {
  return join(configDir(env), CONFIG_FILE_NAME);
}

/**
 * The file's status, or undefined when it cannot be looked at: missing, or a problem (ENOTDIR, EACCES…)
 * that reading or writing the file reports in a sentence.
 */
function statOrUndefined(path: string, follow = true): Stats | undefined {
  try {
    return follow ? statSync(path) : lstatSync(path);
  } catch {
    return undefined;
  }
}

/** Whether the file exists (a dangling symlink, or a path that cannot be looked at, counts as missing). */
export function configExists(path: string): boolean {
  return statOrUndefined(path) !== undefined;
}

/**
 * A sentence for the user when the file is readable or writable by group or others, else undefined.
 * POSIX modes mean nothing on Windows, so nothing is reported there.
 */
export function permissionProblem(path: string, platform = process.platform): string | undefined {
  if (platform === "win32") return undefined;
  const st = statOrUndefined(path);
  // Only a regular file holds settings; anything else is reported when it is read.
  if (!st?.isFile() || (st.mode & 0o077) === 0) return undefined;
  const mode = (st.mode & 0o777).toString(8).padStart(3, "0");
  return `${path} is readable by other users (mode ${mode}) and may hold an API key. Fix it with: chmod 600 ${path}`;
}

/** Refuse a config file that is a symlink to something another user owns (it could be swapped). */
function checkOwnership(path: string): void {
  if (process.platform === "win32" || typeof process.getuid !== "function") return;
  const link = statOrUndefined(path, false);
  if (!link?.isSymbolicLink()) return;
  const target = statOrUndefined(path);
  if (target && target.uid !== process.getuid()) {
    throw new UsageError(`${path} is a symlink to a file owned by another user; certwh will not use it.`);
  }
}

/** The file's JSON. conf would quietly turn a top-level array or string into {}: that is broken JSON too. */
const NOT_AN_OBJECT = "the top level is not a JSON object";

function parseConfigJson(text: string): Record<string, unknown> {
  // An empty file (`: > config.json`, an editor's truncated save) holds no settings: no config, not broken
  // JSON, so `login` and `config set` can still write it.
  if (text.trim() === "") return {};
  const value: unknown = JSON.parse(text);
  if (!isObject(value)) throw new SyntaxError(NOT_AN_OBJECT);
  return value;
}

function asProfiles(raw: Record<string, unknown>, path: string): StoredConfig {
  const profiles = raw.profiles;
  // Null-prototype in every case, so a profile named "constructor" or "__proto__" is only ever a name.
  if (profiles === undefined) return { profiles: Object.create(null) };
  if (!isObject(profiles)) {
    throw new FileError(`${path}: "profiles" must be an object. Fix or remove the file.`, path, "EINVAL");
  }
  const out: Record<string, ProfileSettings> = Object.create(null);
  for (const [name, value] of Object.entries(profiles)) {
    if (!isObject(value)) {
      throw new FileError(
        `${path}: profile "${name}" must be an object. Fix or remove the file.`,
        path,
        "EINVAL",
      );
    }
    out[name] = { ...(value as ProfileSettings) };
  }
  return { profiles: out };
}

type ConfInstance = { store: Record<string, unknown>; set(key: string, value: unknown): void };

type ConfClass = typeof import("conf")["default"];

async function openConf(path: string, Conf: ConfClass): Promise<ConfInstance> {
  checkOwnership(path);
  try {
    return new Conf<Record<string, unknown>>({
      cwd: dirname(path),
      configName: CONFIG_FILE_NAME.replace(/\.json$/, ""),
      configFileMode: 0o600,
      // Profile names may contain dots; certwh reads and writes whole objects.
      accessPropertiesByDotNotation: false,
      clearInvalidConfig: false,
      deserialize: parseConfigJson,
    }) as unknown as ConfInstance;
  } catch (err) {
    if (err instanceof SyntaxError) throw notJson(path, err);
    if (isFsError(err)) throw fileError(err, path, WRITING);
    throw err;
  }
}

/** A config file certwh cannot use for its content: a file problem (exit 2, code "file"), never reset. */
function notJson(path: string, err: SyntaxError): FileError {
  const what =
    err.message === NOT_AN_OBJECT
      ? `is not a certwh config file (${NOT_AN_OBJECT})`
      : `is not valid JSON (${jsonSyntaxReason(err)})`;
  return new FileError(`${path} ${what}. Fix or remove the file; certwh will not reset it.`, path, "EINVAL", {
    cause: err,
  });
}

/**
 * Read the config; a missing (or empty) file is an empty config, and nothing is created. A file that cannot
 * be read (a folder, a FIFO or device, permission denied, a file where a folder belongs, larger than
 * CONFIG_LIMIT_BYTES) is a FileError; `signal` stops a read that waits.
 */
export async function readConfig(path: string, signal?: AbortSignal): Promise<StoredConfig> {
  checkOwnership(path);
  // A FIFO or device would read as whatever its writer sends (or nothing): say what it is, not "bad JSON".
  const st = statOrUndefined(path);
  if (st && !st.isFile() && !st.isDirectory()) {
    const { message, errno } = notRegular(path, fileKind(st), { ...READING, action: "read" });
    throw new FileError(message, path, errno, {
      hint: "Remove or rename it: without it, certwh starts with no config file.",
    });
  }
  const text = await readBounded(path, {
    limitBytes: CONFIG_LIMIT_BYTES,
    role: READING,
    signal,
    missingOk: true,
  });
  if (text === undefined) return { profiles: Object.create(null) };
  let value: Record<string, unknown>;
  try {
    value = parseConfigJson(text);
  } catch (err) {
    throw notJson(path, err as SyntaxError);
  }
  return asProfiles(value, path);
}

/** Create the directory 0700 (conf would create it 0755) and tighten it if it already exists. */
function ensurePrivateDir(dir: string): void {
  makeDirsSync(dir, 0o700);
  if (process.platform !== "win32") chmodSync(dir, 0o700);
}

/**
 * Change one profile and write the file atomically with mode 0600. `change` gets a copy of the profile
 * and returns the new one; an empty result removes the profile. Returns the new profile.
 */
export async function updateProfile(
  path: string,
  profile: string,
  change: (current: ProfileSettings) => ProfileSettings,
): Promise<ProfileSettings> {
  try {
    ensurePrivateDir(dirname(path));
  } catch (err) {
    throw fileError(err, path, WRITING);
  }
  // Loaded before the lock is taken: on a busy machine the import alone can take longer than the whole
  // change, and every other login or config set waits for the lock meanwhile.
  const { default: Conf } = await import("conf");
  // Read, change and rename under the lock, so a change made meanwhile by another process is kept.
  return withConfigLock(path, async () => {
    // Read (bounded, with the same errors as every other command) before conf reads it again to write.
    await readConfig(path);
    const conf = await openConf(path, Conf);
    const { profiles } = asProfiles(conf.store, path);
    const next = change({ ...(profiles[profile] ?? {}) });
    const cleaned = Object.fromEntries(
      Object.entries(next).filter(([, v]) => v !== undefined),
    ) as ProfileSettings;
    if (Object.keys(cleaned).length === 0) delete profiles[profile];
    else profiles[profile] = cleaned;
    try {
      conf.set("profiles", { ...profiles });
      // atomically's rename keeps 0600, but an older file written by hand may linger with another mode.
      if (process.platform !== "win32") chmodSync(path, 0o600);
    } catch (err) {
      if (isFsError(err)) throw fileError(err, path, WRITING);
      throw err;
    }
    return cleaned;
  });
}
