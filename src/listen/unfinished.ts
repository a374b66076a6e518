// The work listen handed on that did not finish: --exec runs refused (queue full) or cut short at exit, and
// forwards still pending when forwarding stopped. The events are in the journal (written before the 200),
// so at exit listen names how many there are and the exact `certwh replay` command that catches up: the
// ids of exactly those events, and --since the first of them so an identical body from an earlier session
// (same id) is not run again.

import { shellLine } from "../util/shell-word.js";
import type { ExecResult } from "./exec.js";
import type { ForwardResult } from "./forward-types.js";
import { isoTime } from "./iso-time.js";
import { replaySecretWords } from "./replay-secret.js";
import type { ListenEvent, ListenOptions, UnfinishedWork } from "./types.js";

/** Ids named in the command; beyond this many it replays everything since the first (a few may run twice). */
const MAX_IDS = 10_000;
/** Forward failures that mean "not done yet" rather than "the app refused it". */
const FORWARD_UNFINISHED = /^(forwarder closed|forward backlog full|forward queue full)/;

interface Kind {
  count: number;
  ids: string[];
  firstAt?: number;
}

interface UnfinishedLog {
  /** An event handed to `consumers` (forward and/or exec) at `receivedAt`. */
  handed(id: string, receivedAt: number, consumers: number): void;
  forwardResult(r: ForwardResult): void;
  execResult(r: ExecResult): void;
  /** The summary event (once), or undefined when everything finished. */
  summary(): Extract<ListenEvent, { type: "unfinished" }> | undefined;
}

export function createUnfinishedLog(
  o: Pick<ListenOptions, "journalPath" | "exec" | "forwardTo" | "replaySecret">,
): UnfinishedLog {
  // id → when it arrived and how many consumers have not reported a final result yet.
  const open = new Map<string, { receivedAt: number; waiting: number }>();
  const exec: Kind = { count: 0, ids: [] };
  // One per --forward-to target: each catches up with its own `--to`.
  const forward = new Map<string, Kind>((o.forwardTo ?? []).map((url) => [url, { count: 0, ids: [] }]));
  let summed = false;

  function settle(id: string | undefined, kind: Kind | undefined): void {
    if (id === undefined) return;
    const item = open.get(id);
    if (kind) {
      kind.count++;
      if (kind.ids.length < MAX_IDS) kind.ids.push(id);
      if (item && (kind.firstAt === undefined || item.receivedAt < kind.firstAt))
        kind.firstAt = item.receivedAt;
    }
    if (!item) return;
    item.waiting--;
    if (item.waiting <= 0) open.delete(id);
  }

  function describe(k: Kind, target: string[]): UnfinishedWork | undefined {
    if (k.count === 0) return undefined;
    const work: UnfinishedWork = { count: k.count, ids: k.ids };
    if (k.firstAt !== undefined) work.since = isoTime(k.firstAt);
    if (o.journalPath) {
      const words = ["certwh", "replay", "--journal", o.journalPath, ...target];
      if (work.since) words.push("--since", work.since);
      if (k.count <= MAX_IDS) for (const id of k.ids) words.push("--id", id);
      work.command = shellLine(words);
    }
    return work;
  }

  return {
    handed(id, receivedAt, consumers) {
      if (consumers === 0) return;
      const item = open.get(id);
      if (item) item.waiting += consumers;
      else open.set(id, { receivedAt, waiting: consumers });
    },
    forwardResult(r) {
      if (!r.final) return;
      settle(r.id, !r.ok && FORWARD_UNFINISHED.test(r.error ?? "") ? forward.get(r.url) : undefined);
    },
    execResult(r) {
      settle(r.id, r.unfinished ? exec : undefined);
    },
    summary() {
      if (summed) return undefined;
      summed = true;
      const e = o.exec ? describe(exec, ["--exec", o.exec]) : undefined;
      const f = [...forward].flatMap(([url, kind]) => {
        const work = describe(kind, ["--to", url, ...replaySecretWords(o.replaySecret)]);
        return work ? [{ ...work, url }] : [];
      });
      if (!e && f.length === 0) return undefined;
      return {
        type: "unfinished",
        journal: o.journalPath ?? null,
        ...(e ? { exec: e } : {}),
        ...(f.length > 0 ? { forward: f } : {}),
      };
    },
  };
}
