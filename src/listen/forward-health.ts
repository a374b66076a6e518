// How the forward target (the user's app) has been answering lately, so the forwarder can tell "this event
// fails" from "the app fails":
// - failing broadly: more than 2 of its last 10 answers to OTHER deliveries failed. A failure then says more
//   about the app than about the event, so it does not use up the event's attempts (the app is restarting
//   or overloaded; the event should arrive once it recovers).
// - down: its last 3 answers in a row failed, and not as one event's trouble. The forwarder then sends one
//   request at a time, spaced by a growing delay, instead of letting a whole backlog hammer an app that is
//   not there.
// - one event's trouble: every failure in the row was one delivery's, each an HTTP status or a timeout, while
//   the app took another delivery among its last 10 answers: that event is poison (its handler throws on it,
//   or never finishes with it), the app is fine, and its failures count against it alone.
// - unreachable: no connection, or it dropped without an answer (refused, reset). A timeout is not on its
//   own (canBeOneEvents), but a row of timeouts while nothing else answers is down all the same. When the
//   app answers after it was down without answering (unreachable or timing out), it is up: the row and the
//   broad failures start again from that answer, since failing to reach it says nothing about how it
//   treats events now.
// - failing alone: the row is one delivery's but the app took no other delivery lately. It may still be
//   poison, so another event probes first (nextOther) before all are held.

import { pushBounded } from "../util/keep-newest.js";

const WINDOW = 10;
const BROAD_FAILURES = 2;
export const TARGET_DOWN_AFTER = 3;

/** A failure without an HTTP answer: the app could not be reached, or it took the request and said nothing. */
export type NoAnswer = "unreachable" | "timeout";

/**
 * Codes of a request the app did not answer in time. "timeout" is the attempt's own limit, which may also
 * end a connection that never opened: then the other deliveries time out too, and the row is down. A connect
 * timeout (UND_ERR_CONNECT_TIMEOUT) is unreachable.
 */
const TIMEOUTS = new Set(["timeout", "UND_ERR_HEADERS_TIMEOUT"]);

/** How a failure without an HTTP answer went, from its error code (forward.ts's result error). */
export function noAnswerOf(error: string | undefined): NoAnswer {
  return error !== undefined && TIMEOUTS.has(error) ? "timeout" : "unreachable";
}

/**
 * Whether a failure can be one event's trouble. An HTTP status can: the app is up. A timeout can too, like a
 * 5xx: the app took the request and may be stuck on this one event while it answers the others (a slow
 * poison event). Whether it does answer them is asked of both alike (oneEventsTrouble: it took another
 * delivery lately), so a row of timeouts while nothing else answers is still down, like a row of refusals.
 * Not reaching the app at all (refused, reset) never is.
 */
const canBeOneEvents = (noAnswer: NoAnswer | undefined) => noAnswer !== "unreachable";

interface TargetHealth {
  /**
   * Record an answer: ok means the app answered (2xx, or a final 3xx/4xx: it is up, it said no);
   * `noAnswer` says how a failure without any HTTP answer went (see noAnswerOf).
   */
  record(deliveryId: string, ok: boolean, noAnswer?: NoAnswer): void;
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
  noAnswer: NoAnswer | undefined;
}

export function createTargetHealth(): TargetHealth {
  let recent: Answer[] = [];
  let inARow = 0;
  // Which deliveries failed in the current row: one id, or null once a second one failed too.
  let rowOf: string | null | undefined;
  let rowUnreachable = false; // some failure in the row could not reach the app: not one event's trouble
  let rowUnanswered = false; // some failure in the row had no answer at all (unreachable, or a timeout)
  const startRow = () => {
    inARow = 0;
    rowOf = undefined;
    rowUnreachable = false;
    rowUnanswered = false;
  };
  /** The app took another delivery than `id` among its last answers. */
  const tookOther = (id: string) => recent.some((r) => r.ok && r.id !== id);
  const oneEventsTrouble = () => typeof rowOf === "string" && !rowUnreachable && tookOther(rowOf);
  const isDown = () => inARow >= TARGET_DOWN_AFTER && !oneEventsTrouble();
  return {
    record(id, ok, noAnswer) {
      // An answer after it was down without answering: the app is up now, so judge it from here.
      if (noAnswer === undefined && rowUnanswered && isDown()) {
        startRow();
        recent = recent.filter((r) => r.noAnswer === undefined);
      }
      pushBounded(recent, { id, ok, noAnswer }, WINDOW);
      if (ok) return startRow();
      inARow++;
      rowOf = rowOf === undefined || rowOf === id ? id : null;
      rowUnanswered ||= noAnswer !== undefined;
      rowUnreachable ||= !canBeOneEvents(noAnswer);
    },
    failingBroadly(id) {
      return recent.filter((r) => !r.ok && r.id !== id).length > BROAD_FAILURES;
    },
    get down() {
      return isDown();
    },
    get failuresInARow() {
      return inARow;
    },
    get failingAlone() {
      return rowOf ?? undefined;
    },
  };
}
