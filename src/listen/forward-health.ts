// How the forward target (the user's app) has been answering lately, so the forwarder can tell "this event
// fails" from "the app fails":
// - failing broadly: more than 2 of its last 10 answers to OTHER deliveries failed. A failure then says more
//   about the app than about the event, so it does not use up the event's attempts (the app is restarting
//   or overloaded; the event should arrive once it recovers).
// - down: its last 3 answers in a row failed. The forwarder then sends one request at a time, spaced by a
//   growing delay, instead of letting a whole backlog hammer an app that is not there.
// - failing alone: every failure in that row was one delivery's. The app may be fine and that one event
//   poison (its handler throws on it), so the forwarder lets another event probe before holding them all.

import { pushBounded } from "../util/keep-newest.js";

const WINDOW = 10;
const BROAD_FAILURES = 2;
export const TARGET_DOWN_AFTER = 3;

interface TargetHealth {
  /** Record an answer: ok means the app answered (2xx, or a final 3xx/4xx: it is up, it said no). */
  record(deliveryId: string, ok: boolean): void;
  /** Whether the app has been failing other deliveries too (see above). */
  failingBroadly(deliveryId: string): boolean;
  readonly down: boolean;
  /** Failures in a row (0 after any success). */
  readonly failuresInARow: number;
  /** The delivery whose failures alone make up the current row, if only one delivery's are in it. */
  readonly failingAlone: string | undefined;
}

export function createTargetHealth(): TargetHealth {
  const recent: Array<{ id: string; ok: boolean }> = [];
  let inARow = 0;
  // Which deliveries failed in the current row: one id, or null once a second one failed too.
  let rowOf: string | null | undefined;
  return {
    record(id, ok) {
      pushBounded(recent, { id, ok }, WINDOW);
      inARow = ok ? 0 : inARow + 1;
      rowOf = ok ? undefined : rowOf === undefined || rowOf === id ? id : null;
    },
    failingBroadly(id) {
      return recent.filter((r) => !r.ok && r.id !== id).length > BROAD_FAILURES;
    },
    get down() {
      return inARow >= TARGET_DOWN_AFTER;
    },
    get failuresInARow() {
      return inARow;
    },
    get failingAlone() {
      return rowOf ?? undefined;
    },
  };
}
