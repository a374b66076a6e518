// Time is injected wherever it matters, so 30-minute windows and backoffs run instantly in tests.

import { setTimeout as delay } from "node:timers/promises";

export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** What an aborted wait rejects with: the signal's reason when it is an Error. */
export function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error("aborted");
}

export const systemClock: Clock = {
  now: () => Date.now(),
  // Rejects with the signal's reason (timers/promises alone would reject with its own AbortError).
  sleep: (ms, signal) =>
    delay(ms, undefined, { signal }).catch(() => {
      throw abortReason(signal as AbortSignal);
    }),
};

/** A clock that only moves when told to; sleep() advances it at once. */
export class ManualClock implements Clock {
  constructor(private current = Date.UTC(2026, 0, 1)) {}
  now(): number {
    return this.current;
  }
  advance(ms: number): void {
    this.current += ms;
  }
  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw abortReason(signal);
    this.current += ms;
  }
}
