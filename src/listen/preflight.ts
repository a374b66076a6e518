// Checks of listen's local side effects before anything starts, so a CI job fails at once (exit 2) instead of
// at the first event: the --save-chain folder must be writable, the --exec program must exist.

import { constants } from "node:fs";
import { access, stat } from "node:fs/promises";
import { delimiter, join } from "node:path";
import { UsageError } from "../errors.js";
import { fileError } from "../util/fs-error.js";
import { makeDirs } from "../util/make-dirs.js";
import { printable } from "../util/printable.js";
import { splitCommand } from "./exec.js";

export async function checkSaveChainDir(dir: string): Promise<void> {
  try {
    await makeDirs(dir, 0o755);
    await access(dir, constants.W_OK);
  } catch (err) {
    const role = { what: "the --save-chain folder", action: "write" } as const;
    throw fileError(
      err,
      dir,
      role,
      (cause) => `--save-chain ${printable(dir)} is not a writable folder: ${cause}.`,
    );
  }
}

/** A file this process may run (a folder has the x bit too, but cannot be run). */
async function isExecutable(path: string): Promise<boolean> {
  const file = await stat(path).then(
    (st) => st.isFile(),
    () => false,
  );
  return (
    file &&
    access(path, constants.X_OK).then(
      () => true,
      () => false,
    )
  );
}

export async function checkExecCommand(command: string, env: NodeJS.ProcessEnv): Promise<void> {
  const program = splitCommand(command)[0];
  if (program === undefined) throw new UsageError("--exec needs a command.");
  if (program.includes("/")) {
    if (await isExecutable(program)) return;
  } else {
    for (const folder of (env.PATH ?? "").split(delimiter).filter(Boolean)) {
      if (await isExecutable(join(folder, program))) return;
    }
  }
  throw new UsageError(
    `--exec: ${program} is not an executable program${program.includes("/") ? "" : " on PATH"}.`,
  );
}
