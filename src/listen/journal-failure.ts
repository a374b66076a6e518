// The journal cannot be opened or written: one sentence with the path and the real cause (exit 2, code
// "file"). When its folder could not be made, fileError names that folder with its own cause (EROFS,
// EACCES…), not the journal's ENOENT that follows from it.

import { type CertwhError, FileError } from "../errors.js";
import { fileError } from "../util/fs-error.js";
import { printable } from "../util/printable.js";

/** The journal's path was replaced by something listen cannot write events to (a FIFO, a device, a folder). */
export class JournalPathReplaced extends FileError {}

/**
 * While listen ran, the journal's path came to name `kind` (a FIFO, a device, a folder): this session's events
 * are in the file that was there, wherever it went, and nothing more can be acknowledged.
 */
export function journalPathReplaced(path: string, kind: string): JournalPathReplaced {
  const where = printable(path);
  return new JournalPathReplaced(
    `The journal path ${where} is not a regular file any more: it was replaced by ${kind} while listen ran, so events cannot be acknowledged.`,
    path,
    "ENOTREG",
    {
      hint:
        `The events this session journaled are in the file that was at ${where} (wherever it was moved, if it was). ` +
        `Remove ${kind.replace(/^a /, "the ")} from ${where} (listen then creates a new journal there) or choose another --journal, and run listen again.`,
    },
  );
}

/** The journal cannot be opened or written: the path and the real cause (ENOTDIR, ENOSPC…), exit 2. */
export function journalFailure(path: string | undefined, error: unknown): CertwhError {
  const where = path ?? "(none)";
  const role = {
    what: "the journal",
    action: "write",
    instead: "choose another --journal, or run with --no-journal",
  } as const;
  return fileError(
    error,
    where,
    role,
    (cause) => `Could not write the journal ${printable(where)}: ${cause}, so events cannot be acknowledged.`,
  );
}
