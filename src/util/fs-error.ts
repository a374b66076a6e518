// File-system failures as sentences: which file, what certwh was doing, and the real cause in words with the
// system's code (ENOENT, ENOTDIR, EACCES, EISDIR, ENOSPC, ELOOP…). Node's own messages ("EISDIR: illegal
// operation on a directory, read") name neither the file's role nor, for mkdir -p, the component at fault:
// `--journal ./afile/j.ndjson`, where afile is a file, fails with EEXIST, which is found here to be ENOTDIR.

import { type Stats, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { FileError } from "../errors.js";
import { printable } from "./printable.js";

/** certwh's own codes, for what the system does not report as an error. */
const TOO_BIG = "ETOOBIG";
const NOT_REGULAR = "ENOTREG";

export interface FileRole {
  /** What the file is to the user, e.g. "the config file", "the journal", "--secret-out". */
  what: string;
  /** What certwh was doing: read, write, create, open. */
  action: "read" | "write" | "create" | "open" | "use";
  /** What else the user can do, e.g. "choose another --journal, or run with --no-journal". */
  instead?: string;
}

/** A Node system error from the file system (it has a code and a syscall). */
export function isFsError(err: unknown): err is NodeJS.ErrnoException & { code: string } {
  const e = err as NodeJS.ErrnoException | undefined;
  return e instanceof Error && typeof e.code === "string" && typeof e.syscall === "string";
}

/** The first folder on the way to `path` (from the root down) that exists but is not a folder, if any. */
export function blockingFile(path: string): string | undefined {
  const ancestors: string[] = [];
  for (let p = dirname(resolve(path)); ; p = dirname(p)) {
    ancestors.unshift(p);
    if (dirname(p) === p) break;
  }
  for (const p of ancestors) {
    try {
      if (!statSync(p).isDirectory()) return p;
    } catch {
      return undefined; // the rest does not exist (or cannot be looked at): nothing to name
    }
  }
  return undefined;
}

function fileAt(path: string): string | undefined {
  try {
    return statSync(path).isDirectory() ? undefined : path;
  } catch {
    return undefined;
  }
}

const CAUSES: Record<string, string> = {
  ENOENT: "no such file or folder",
  EACCES: "permission denied",
  EPERM: "the operation is not permitted",
  EISDIR: "it is a folder, not a file",
  ENOSPC: "no space left on the device",
  EDQUOT: "the disk quota is exceeded",
  ELOOP: "too many levels of symbolic links (a symlink loop?)",
  EROFS: "the file system is read-only",
  ENAMETOOLONG: "the path is too long",
  EMFILE: "too many open files",
  ENFILE: "too many open files in the system",
  EIO: "an input/output error on the device",
  EBUSY: "the file is busy",
  ETXTBSY: "the file is busy",
  EFBIG: "the file is too large for the file system",
  ENXIO: "no such device or address",
  ENODEV: "no such device",
  EEXIST: "it already exists",
  EAGAIN: "the file is not ready (try again)",
  EINVAL: "the operation is not valid for this file",
};

const HINTS: Record<string, string> = {
  ENOENT: "Check the path.",
  EACCES: "Fix the permissions of the file or its folders (chmod, chown).",
  EPERM: "Fix the permissions of the file or its folders (chmod, chown).",
  EISDIR: "Name a file, not a folder.",
  ENOTDIR: "Remove or rename that file.",
  ENOSPC: "Free some space.",
  EDQUOT: "Free some space.",
  ELOOP: "Fix the symbolic link.",
  EROFS: "Use a path on a writable file system.",
  [NOT_REGULAR]: "Name a regular file.",
};

/** The cause, as words plus the code: "/tmp/afile is a file, not a folder (ENOTDIR)". */
export function describeCause(err: unknown, path: string): { errno: string; cause: string } {
  const code = isFsError(err) ? err.code : ((err as { code?: unknown })?.code as string | undefined);
  if (code === "ENOTDIR" || code === "EEXIST") {
    // mkdir of the path itself where a file is: EEXIST, but the trouble is a file where a folder belongs.
    const blocker =
      blockingFile(path) ?? (isFsError(err) && err.syscall === "mkdir" ? fileAt(path) : undefined);
    if (blocker)
      return { errno: "ENOTDIR", cause: `${printable(blocker)} is a file, not a folder (ENOTDIR)` };
    if (code === "ENOTDIR") return { errno: code, cause: "a part of the path is not a folder (ENOTDIR)" };
  }
  if (code && CAUSES[code]) return { errno: code, cause: `${CAUSES[code]} (${code})` };
  const message = err instanceof Error ? err.message : String(err);
  return { errno: code ?? "EUNKNOWN", cause: printable(message) };
}

/** The fix for `errno`, then the way around it ("Or choose another --journal…"), or that alone as a sentence. */
function adviceFor(errno: string, role: FileRole): string | undefined {
  const fix = HINTS[errno];
  if (!role.instead) return fix;
  if (!fix) return `${role.instead.charAt(0).toUpperCase()}${role.instead.slice(1)}.`;
  return `${fix} Or ${role.instead}.`;
}

/**
 * A FileError for `err` at `path`: "Cannot read the config file /x/config.json: permission denied (EACCES)."
 * `sentence` words it otherwise around the cause.
 */
export function fileError(
  err: unknown,
  path: string,
  role: FileRole,
  sentence: (cause: string) => string = (cause) =>
    `Cannot ${role.action} ${role.what} ${printable(path)}: ${cause}.`,
): FileError {
  if (err instanceof FileError) return err;
  const { errno, cause } = describeCause(err, path);
  // A folder on the way that could not be made is named, with its own cause (EROFS, EACCES…), not the
  // file's ENOENT that follows from it.
  const folder =
    isFsError(err) && err.syscall === "mkdir" && err.path && err.path !== path
      ? `cannot create the folder ${printable(err.path)}: `
      : "";
  return new FileError(sentence(`${folder}${cause}`), path, errno, {
    hint: adviceFor(errno, role),
    cause: err,
  });
}

/** A FileError for a file that is larger than certwh reads for its purpose. */
export function tooBig(path: string, limitBytes: number, role: FileRole): FileError {
  return new FileError(
    `Cannot ${role.action} ${role.what} ${printable(path)}: it is larger than ${formatBytes(limitBytes)}, the most certwh reads for it.`,
    path,
    TOO_BIG,
    { hint: `Is it the right file?${role.instead ? ` Or ${role.instead}.` : ""}` },
  );
}

/** What a path that is not a regular file is, in words for notRegular(). */
export function fileKind(st: Stats): string {
  if (st.isDirectory()) return "a folder";
  if (st.isFIFO()) return "a FIFO";
  if (st.isSocket()) return "a socket";
  if (st.isCharacterDevice() || st.isBlockDevice()) return "a device";
  return "another kind of file";
}

/** A FileError for a path that is a folder, FIFO, device or socket where a regular file is needed. */
export function notRegular(path: string, kind: string, role: FileRole): FileError {
  return new FileError(
    `Cannot ${role.action} ${role.what} ${printable(path)}: it is ${kind}, not a regular file (${NOT_REGULAR}).`,
    path,
    NOT_REGULAR,
    { hint: `${HINTS[NOT_REGULAR]}${role.instead ? ` Or ${role.instead}.` : ""}` },
  );
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}
