// Where listen keeps its journal by default. One file (not one per day): replay reads a single place,
// and `--journal` lets a user rotate or split it themselves.

import { homedir } from "node:os";
import { join } from "node:path";

/**
 * `$XDG_CONFIG_HOME/certwh/journal.ndjson`, else `~/.config/certwh/journal.ndjson` on every platform
 * (the same rule certwh uses for its config directory, so tests isolate both with XDG_CONFIG_HOME).
 */
export function defaultJournalPath(
  env: NodeJS.ProcessEnv = process.env,
  kind: "account" | "sandbox" = "account",
): string {
  const xdg = env.XDG_CONFIG_HOME;
  const base = xdg && xdg.length > 0 ? xdg : join(env.HOME || homedir(), ".config");
  // Sandbox events are made up: kept apart, a later `certwh replay` never sends them to a real app.
  return join(base, "certwh", kind === "sandbox" ? "sandbox-journal.ndjson" : "journal.ndjson");
}
