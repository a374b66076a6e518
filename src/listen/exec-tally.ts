// The --exec runs of a session, summed up at exit: how many succeeded, failed or did not finish, and the
// `certwh replay --exec` command that runs the failed ones again once the command is fixed: their ids, and
// --since the first of them, so an identical body from an earlier session (same id) is not run again.

import { shellLine } from "../util/shell-word.js";
import { EXEC_STOPPED, type ExecResult } from "./exec.js";
import { isoTime } from "./iso-time.js";
import type { ListenEvent, ListenOptions } from "./types.js";

/** Failed ids named in the replay command; beyond this, the user picks them from the exec lines. */
const MAX_IDS = 10;

export function createExecTally(o: Pick<ListenOptions, "exec" | "journalPath">) {
  let ok = 0;
  let failedRuns = 0;
  // Refused (queue full, closed) or cut short at exit: the `unfinished` summary names them.
  let unfinished = 0;
  // Cut short at exit: they started, so the session ran the command.
  let cutShort = 0;
  const failed: string[] = [];
  // When the first failed run's event arrived.
  let firstFailedAt: number | undefined;
  return {
    count(r: ExecResult): void {
      if (r.unfinished) {
        unfinished++;
        if (r.error === EXEC_STOPPED) cutShort++;
      } else if (r.ok) ok++;
      else {
        failedRuns++;
        if (r.id !== undefined) failed.push(r.id);
        if (r.receivedAt !== undefined && (firstFailedAt === undefined || r.receivedAt < firstFailedAt))
          firstFailedAt = r.receivedAt;
      }
    },
    summary(): Extract<ListenEvent, { type: "exec_summary" }> | undefined {
      if (!o.exec || ok + failedRuns + cutShort === 0) return undefined;
      const ids = [...new Set(failed)];
      const replay =
        o.journalPath && failedRuns > 0 && ids.length === failedRuns && ids.length <= MAX_IDS
          ? shellLine([
              "certwh",
              "replay",
              "--journal",
              o.journalPath,
              "--exec",
              o.exec,
              ...(firstFailedAt !== undefined ? ["--since", isoTime(firstFailedAt)] : []),
              ...ids.flatMap((id) => ["--id", id]),
            ])
          : undefined;
      return {
        type: "exec_summary",
        command: o.exec,
        ok,
        failed: failedRuns,
        failed_ids: ids.slice(0, MAX_IDS),
        unfinished,
        ...(replay ? { replay } : {}),
      };
    },
  };
}
