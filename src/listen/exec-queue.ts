// The runs under way and the events waiting for one: at most `concurrency` runs at once, the rest start in
// arrival order as runs end. Refusing (queue limit, closed runner) is the runner's part (exec.ts).

import { type RunHandle, type RunSettings, startRun } from "./exec-run.js";
import { type ExecEvent, type ExecResult, refusedResult } from "./exec-types.js";

export interface RunQueueOptions {
  settings: RunSettings;
  concurrency: number;
  report: (result: ExecResult) => void;
}

export interface RunQueue {
  /** Events waiting for a free slot. */
  readonly waiting: number;
  /** Slots free right now. */
  readonly freeSlots: number;
  /** Start a run for `event` at once if a slot is free, otherwise when one is. */
  add(event: ExecEvent): void;
  /** Remove and return the events still waiting. */
  takeWaiting(): ExecEvent[];
  /** Terminate every run under way (each still reports). */
  stopRunning(): void;
  /** Resolves when nothing is waiting or running. */
  idle(): Promise<void>;
}

export function createRunQueue({ settings, concurrency, report }: RunQueueOptions): RunQueue {
  const waiting: ExecEvent[] = [];
  const running = new Set<RunHandle>();
  let idleWaiters: Array<() => void> = [];

  function execute(event: ExecEvent): Promise<void> {
    return new Promise((resolve) => {
      const run = startRun(event, settings, (result) => {
        running.delete(run);
        report(result);
        resolve();
      });
      running.add(run);
    });
  }

  function pump(): void {
    while (running.size < concurrency && waiting.length > 0) {
      const next = waiting.shift() as ExecEvent;
      execute(next)
        // spawn() threw synchronously (bad argv): a failure, not unfinished, as it would fail again.
        .catch((err: Error) => report(refusedResult(next, err.message, false)))
        .finally(() => {
          pump();
          settleIdle();
        });
    }
  }

  function settleIdle(): void {
    if (waiting.length > 0 || running.size > 0) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const w of waiters) w();
  }

  return {
    get waiting() {
      return waiting.length;
    },
    get freeSlots() {
      return Math.max(0, concurrency - running.size);
    },
    add(event) {
      waiting.push(event);
      pump();
    },
    takeWaiting: () => waiting.splice(0),
    stopRunning() {
      for (const run of running) run.stop();
    },
    idle() {
      if (waiting.length === 0 && running.size === 0) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
  };
}
