// What the inspector shows: listen's events as they happen, kept for pages opened later. The history is
// bounded (a session can run for days): state and ready events are few and always kept, deliveries and
// results only the most recent ones.

import type { ListenEvent } from "../listen/types.js";

const HISTORY_LIMIT = 5000;

export type Listener = (event: ListenEvent) => void;

interface EventFeed {
  push(event: ListenEvent): void;
  /** Calls `listener` with every event pushed from now on; returns the unsubscribe. */
  subscribe(listener: Listener): () => void;
  /** Every kept event, oldest first. */
  history(): ListenEvent[];
}

export function createEventFeed(): EventFeed {
  const kept: ListenEvent[] = [];
  const listeners = new Set<Listener>();
  const isLasting = (e: ListenEvent) => e.type === "state" || e.type === "ready";
  return {
    push(event) {
      kept.push(event);
      if (kept.length > HISTORY_LIMIT) {
        const drop = kept.findIndex((e) => !isLasting(e));
        if (drop >= 0) kept.splice(drop, 1);
      }
      for (const listener of [...listeners]) listener(event);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    history: () => [...kept],
  };
}
