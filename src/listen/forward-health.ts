// How the forward target (the user's app) has been answering lately, so the forwarder can tell "this event
// fails" from "the app fails":
// - failing broadly: more than 2 of its last 10 answers to OTHER deliveries failed. A failure then says more
//   about the app than about the event, so it does not use up the event's attempts (the app is restarting
//   or overloaded; the event should arrive once it recovers).
// - down: its last 3 answers in a row failed, and not as one event's trouble. The forwarder then sends one
//   request at a time, spaced by a growing delay, instead of letting a whole backlog hammer an app that is
//   not there.
// - one event's trouble: the app answered (an HTTP status) and every failure in the row was one delivery's,
//   while it took another delivery among its last 10 answers: that event is poison (its handler throws on
//   it), the app is fine, and its failures count against it alone.
// - unreachable: no answer at all (connection refused, a timeout). When the app answers after it was down
//   that way, it is up: the row and the broad failures start again from that answer, since failing to
//   reach it says nothing about how it treats events now.
// - failing alone: the row is one delivery's but the app took no other delivery lately. It may still be
//   poison, so another event probes first (nextOther) before all are held.

import { pushBounded } from "../util/keep-newest.js";

const WINDOW = 10;
const BROAD_FAILURES = 2;
export const TARGET_DOWN_AFTER = 3;

interface TargetHealth {
  /**
   * Record an answer: ok means the app answered (2xx, or a final 3xx/4xx: it is up, it said no);
   * `unreachable` a failure without any answer (a network error or a timeout).
   */
  record(deliveryId: string, ok: boolean, unreachable?: boolean): void;
  /** Whether the app has been failing other deliveries too (see above). */
  failingBroadly(deliveryId: string): boolean;
  readonly down: boolean;
  /** Failures in a row (0 after any success). */
  readonly failuresInARow: number;
  /** The delivery whose failures alone make up the current row, if only one delivery's are in it. */
  readonly failingAlone: string | undefined;
}

interface Answer {
  id: string;
  ok: boolean;
  unreachable: boolean;
}

export function createTargetHealth(): TargetHealth {
  let recent: Answer[] = [];
  let inARow = 0;
  // Which deliveries failed in the current row: one id, or null once a second one failed too.
  let rowOf: string | null | undefined;
  let rowUnreachable = false; // some failure in the row had no answer at all
  const startRow = () => {
    inARow = 0;
    rowOf = undefined;
    rowUnreachable = false;
  };
  /** The app took another delivery than `id` among its last answers. */
  const tookOther = (id: string) => recent.some((r) => r.ok && r.id !== id);
  const oneEventsTrouble = () => typeof rowOf === "string" && !rowUnreachable && tookOther(rowOf);
  return {
    record(id, ok, unreachable = false) {
      // An answer after it was down and unreachable: the app is up now, so judge it from here.
      if (!unreachable && rowUnreachable && inARow >= TARGET_DOWN_AFTER) {
        startRow();
        recent = recent.filter((r) => !r.unreachable);
      }
      pushBounded(recent, { id, ok, unreachable }, WINDOW);
      if (ok) return startRow();
      inARow++;
      rowOf = rowOf === undefined || rowOf === id ? id : null;
      rowUnreachable ||= unreachable;
    },
    failingBroadly(id) {
      return recent.filter((r) => !r.ok && r.id !== id).length > BROAD_FAILURES;
    },
    get down() {
      return inARow >= TARGET_DOWN_AFTER && !oneEventsTrouble();
    },
    get failuresInARow() {
      return inARow;
    },
    get failingAlone() {
      return rowOf ?? undefined;
    },
  };
}
