// --state-file: the webhook (with its hidden state), the next id and the event log survive restarts.
// Written atomically (temporary file + rename) with mode 0600, since it holds the webhook secret.
// Read through readBounded: at most STATE_LIMIT_BYTES (/dev/zero is an error, not gigabytes of memory), and a
// FIFO with nothing to read waits only until the signal stops it.

import { constants, renameSync, writeFileSync } from "node:fs";
import { access } from "node:fs/promises";
import { dirname } from "node:path";
import { type FileRole, fileError } from "../util/fs-error.js";
import { readBounded } from "../util/read-bounded.js";
import type { StoreData } from "./state.js";

/** The most certwh reads of a state file (a webhook and its event log: usually kilobytes). */
const STATE_LIMIT_BYTES = 64 * 1024 * 1024;

const ROLE: Omit<FileRole, "action"> = {
  what: "the sandbox state file (--state-file)",
  instead: "choose another --state-file",
};

export async function loadState(path: string, signal?: AbortSignal): Promise<StoreData | undefined> {
  const text = await readBounded(path, {
    limitBytes: STATE_LIMIT_BYTES,
    role: ROLE,
    signal,
    missingOk: true,
  });
  // Every change is saved next to the file, then renamed over it: its folder must take new files.
  await access(dirname(path), constants.W_OK).catch((err: unknown) => {
    throw fileError(err, path, { ...ROLE, action: "write" });
  });
  if (text === undefined) return undefined;
  const data = JSON.parse(text) as Partial<StoreData>;
  if (typeof data.nextId !== "number" || !Array.isArray(data.logs) || data.webhook === undefined) {
    throw new Error(`${path} is not a certwh sandbox state file`);
  }
  return data as StoreData;
}

export function saveState(path: string, data: StoreData): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(data, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, path);
}
