// The line replay prints for each action on an entry, as it happens (nothing with --json: the results go
// into the one JSON document at the end).

import type { Output } from "../../io/output.js";
import type { ExecResult } from "../../listen/exec.js";
import type { ForwardResult } from "../../listen/forward.js";
import type { JournalEntry } from "../../listen/journal.js";
import { printable } from "../../util/printable.js";

/** An entry as the user's lines name it. */
export function describe(entry: JournalEntry): string {
  return `${printable(entry.event)} ${entry.id} (received ${entry.received_at})`;
}

export function sayPosted(io: Output, to: string, entry: JournalEntry, r: ForwardResult): void {
  if (io.json) return;
  const label = r.status !== undefined ? String(r.status) : (r.error ?? "failed");
  const line = `[${label}] ${describe(entry)} → ${to} (${r.ms} ms)`;
  if (r.ok) io.info(line);
  else io.error(line);
}

export function sayRan(io: Output, entry: JournalEntry, r: ExecResult): void {
  if (io.json) return;
  const label = r.error ?? (r.timedOut ? "timeout" : `exit ${r.exitCode ?? r.signal}`);
  const line = `[${label}] exec for ${describe(entry)} (${r.ms} ms)`;
  if (r.ok) io.info(line);
  else {
    io.error(line);
    // The end of its stderr usually says why the command failed.
    if (r.stderrTail.trim()) io.hint(r.stderrTail.trim().split("\n").slice(-3).join("\n  "));
  }
}
