// The public endpoints listen pointed the webhook at (the newest 50), so that a later command can tell a
// listen receiver on a custom domain (--public-url, --ngrok-domain) from a production endpoint whose path
// merely looks like one. A hint only: it lives in certwh's state folder (0600 file, 0700 folder), a failure
// to write it never fails listen, and one that cannot be read counts as empty.

import { randomBytes } from "node:crypto";
import { readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeDirsSync } from "../util/make-dirs.js";
import { stateDir } from "./paths.js";

const KEEP = 50;
/** Far more than 50 URLs take; a bigger file is not this one's (ignored). */
const LIMIT_BYTES = 256 * 1024;

/** `$XDG_STATE_HOME/certwh/listen-endpoints.json`, else under ~/.local/state. */
export const endpointsRecordPath = (env: NodeJS.ProcessEnv): string =>
  join(stateDir(env), "listen-endpoints.json");

/** The recorded endpoints, oldest first; empty when there is no record or it cannot be read. */
export function recordedListenEndpoints(env: NodeJS.ProcessEnv): string[] {
  try {
    const path = endpointsRecordPath(env);
    const st = statSync(path);
    if (!st.isFile() || st.size > LIMIT_BYTES) return [];
    const list: unknown = JSON.parse(readFileSync(path, "utf8"));
    return Array.isArray(list) ? list.filter((e): e is string => typeof e === "string") : [];
  } catch {
    return [];
  }
}

/** Add `endpoint` as the newest (written atomically: a temporary file renamed into place). Never throws. */
export function recordListenEndpoint(env: NodeJS.ProcessEnv, endpoint: string): void {
  const dir = stateDir(env);
  const temp = join(dir, `.listen-endpoints-${randomBytes(4).toString("hex")}.tmp`);
  try {
    const list = [...recordedListenEndpoints(env).filter((e) => e !== endpoint), endpoint].slice(-KEEP);
    makeDirsSync(dir, 0o700);
    writeFileSync(temp, `${JSON.stringify(list)}\n`, { flag: "wx", mode: 0o600 });
    renameSync(temp, endpointsRecordPath(env));
  } catch {
    // A hint only: listen goes on without it.
    try {
      rmSync(temp, { force: true });
    } catch {
      // Nothing more to do.
    }
  }
}
