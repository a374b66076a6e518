// XDG base directories, one rule for every file certwh keeps: a variable counts when it holds an absolute
// path (the XDG spec says relative values are invalid and must be ignored), else the fallback under HOME.

import { homedir } from "node:os";
import { isAbsolute, join } from "node:path";

/** The home folder: HOME when it is an absolute path, else the system's idea of it. */
function homeDir(env: NodeJS.ProcessEnv): string {
  return env.HOME && isAbsolute(env.HOME) ? env.HOME : homedir();
}

/** `$variable` when absolute, else `fallback` (e.g. ".local/state") under the home folder. */
export function xdgDir(env: NodeJS.ProcessEnv, variable: string, fallback: string): string {
  const value = env[variable];
  return value && isAbsolute(value) ? value : join(homeDir(env), fallback);
}

/** `$variable` when absolute, else undefined (XDG_RUNTIME_DIR has no fallback of its own). */
export function xdgVariable(env: NodeJS.ProcessEnv, variable: string): string | undefined {
  const value = env[variable];
  return value && isAbsolute(value) ? value : undefined;
}
