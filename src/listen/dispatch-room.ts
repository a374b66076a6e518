// Without a journal, room in the forward and exec queues is promised before the receiver answers 200 and
// taken only when the delivery is handled. Promised room counts as used, so two deliveries arriving together
// are never both promised the last free place.

import type { AcceptedDelivery, AcceptRefusal } from "../receiver/outcomes.js";
import type { ExecRunner } from "./exec.js";
import type { ForwardTargets } from "./forward-targets.js";

export interface Room {
  /** Promise room to `delivery`, or say why there is none (the receiver then answers 503). */
  reserve(delivery: AcceptedDelivery): AcceptRefusal | undefined;
  /** The delivery is handled: its room is taken, no longer promised. */
  release(digest: string): void;
}

export function createRoom(forwarder: ForwardTargets | undefined, runner: ExecRunner | undefined): Room {
  // Promised and not taken yet, by digest: the body's bytes.
  const reserved = new Map<string, number>();
  let reservedBytes = 0;
  return {
    reserve(d) {
      // The same body again before it was handled: it shares the room already promised.
      if (reserved.has(d.digest)) return undefined;
      const bytes = d.body.length;
      const room = { count: reserved.size, bytes: reservedBytes };
      if (forwarder && !forwarder.canHold(bytes, room))
        return { status: 503, detail: "forward_queue_full", retryAfterSeconds: 60 };
      if (runner && !runner.hasRoom(reserved.size + 1))
        return { status: 503, detail: "exec_queue_full", retryAfterSeconds: 60 };
      reserved.set(d.digest, bytes);
      reservedBytes += bytes;
      return undefined;
    },
    release(digest) {
      const bytes = reserved.get(digest);
      if (bytes === undefined) return;
      reserved.delete(digest);
      reservedBytes -= bytes;
    },
  };
}
