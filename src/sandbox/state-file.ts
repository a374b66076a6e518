// --state-file: the webhook (with its hidden state), the next id and the event log survive restarts.
// Written atomically (temporary file + rename) with mode 0600, since it holds the webhook secret.

import { readFileSync, renameSync, writeFileSync } from "node:fs";
import type { StoreData } from "./state.js";

export function loadState(path: string): StoreData | undefined {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
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
