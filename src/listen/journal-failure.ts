// The journal cannot be opened or written: one sentence with the path and the real cause (exit 2, code
// "file"). When its folder could not be made, fileError names that folder with its own cause (EROFS,
// EACCES…), not the journal's ENOENT that follows from it.

import type { CertwhError } from "../errors.js";
import { fileError } from "../util/fs-error.js";
import { printable } from "../util/printable.js";

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
