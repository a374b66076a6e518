// mkdir -p without Node's own `recursive: true`. That one never returns for a path under /proc (mkdir there
// fails with ENOENT while the parent exists, and Node retries for ever), and after EROFS it reports the
// ENOENT of a lookup, naming the deepest path, instead of the folder at fault. Here the missing folders are
// found by walking up to the first one that exists, then made top-down, one call each: a bounded loop, and
// a failure is that folder's own error (its `path` is the folder).

import { mkdirSync, statSync } from "node:fs";
import { mkdir, stat } from "node:fs/promises";
import { dirname, resolve } from "node:path";

/** The mkdir used (a seam for tests: a read-only file system cannot be had everywhere). */
export type Mkdir = (path: string, options: { mode: number }) => Promise<unknown>;

/** The folders of `dir` that do not exist yet, outermost first (an existing non-folder ends the walk too). */
async function missing(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (let at = resolve(dir); ; at = dirname(at)) {
    if (await stat(at).catch(() => undefined)) break;
    out.unshift(at);
    if (dirname(at) === at) break;
  }
  return out;
}

function missingSync(dir: string): string[] {
  const out: string[] = [];
  for (let at = resolve(dir); ; at = dirname(at)) {
    if (statSync(at, { throwIfNoEntry: false })) break;
    out.unshift(at);
    if (dirname(at) === at) break;
  }
  return out;
}

/** Makes `dir` and any missing parents with `mode`; returns the first folder it made (as mkdir -p), if any. */
export async function makeDirs(dir: string, mode: number, make: Mkdir = mkdir): Promise<string | undefined> {
  const todo = await missing(dir);
  // Something that is not a folder where the folder should be: mkdir's own EEXIST, as mkdir -p says.
  if (todo.length === 0 && !(await stat(dir)).isDirectory()) await mkdir(dir);
  for (const folder of todo) {
    await make(folder, { mode }).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== "EEXIST") throw err; // made meanwhile by another process: fine
    });
  }
  return todo[0];
}

export function makeDirsSync(dir: string, mode: number): string | undefined {
  const todo = missingSync(dir);
  if (todo.length === 0 && !statSync(dir).isDirectory()) mkdirSync(dir);
  for (const folder of todo) {
    try {
      mkdirSync(folder, { mode });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
  }
  return todo[0];
}
