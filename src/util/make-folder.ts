// `mkdir -p` that reports the folder at fault and the real cause. Node's recursive mkdir names the deepest
// path whatever failed, and when a folder on the way cannot be made for a reason it does not expect (EROFS:
// a read-only file system) it looks the folder up and reports that lookup's ENOENT instead ("no such file or
// folder. Check the path." for a path that is fine). So on a failure the missing folders are made again one
// by one, and the error of the one that fails is the one reported (its `path` is that folder).

import { mkdir, stat } from "node:fs/promises";
import { dirname, resolve } from "node:path";

/** The mkdir used (a seam for tests: a read-only file system cannot be had everywhere). */
export type Mkdir = (path: string, options: { recursive?: boolean; mode: number }) => Promise<unknown>;

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

/** Create `dir` and any missing parent (each with `mode`); rejects with the error of the folder that failed. */
export async function makeFolder(dir: string, mode: number, make: Mkdir = mkdir): Promise<void> {
  try {
    await make(dir, { recursive: true, mode });
    return;
  } catch (err) {
    const missing: string[] = [];
    for (let p = resolve(dir); !(await exists(p)); p = dirname(p)) {
      missing.unshift(p);
      if (dirname(p) === p) break;
    }
    if (missing.length === 0) throw err;
    for (const folder of missing) {
      try {
        await make(folder, { mode });
      } catch (stepErr) {
        // Made meanwhile (another process): go on.
        if ((stepErr as NodeJS.ErrnoException).code !== "EEXIST" || !(await exists(folder))) throw stepErr;
      }
    }
  }
}
