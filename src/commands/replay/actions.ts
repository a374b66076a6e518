// What replay does with each entry: post it to --to and/or run --exec on it, one entry at a time and one
// attempt each (replay is a manual action: the user sees each result). Both reuse listen's machinery
// (forward.ts, exec.ts) with a queue of one; each call waits for that entry's own result.

import { payloadData } from "../../events/payloads.js";
import { createExecRunner, type ExecResult } from "../../listen/exec.js";
import { createForwarder, type ForwardResult } from "../../listen/forward.js";
import type { JournalEntry } from "../../listen/journal.js";
import type { Clock } from "../../util/clock.js";
import { userAgent } from "../../util/version.js";

export type Poster = ReturnType<typeof createPoster>;
export type CommandRunner = ReturnType<typeof createCommandRunner>;

/** A promise with its resolve function outside: one per action on one entry. */
function settle<T>() {
  let resolve: (value: T) => void = () => undefined;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** --to: posts one entry and waits for its one attempt's result. */
export function createPoster(options: {
  url: string;
  clock: Clock;
  timeoutMs: number;
  /** Sent as X-WEBHOOK-KEY: the journal never holds the webhook secret. */
  secret: string | undefined;
}) {
  // Resolved by the forwarder's final result for the entry being posted.
  let posted = settle<ForwardResult>();
  const forwarder = createForwarder({
    url: options.url,
    clock: options.clock,
    maxAttempts: 1,
    attemptCeiling: 1,
    concurrency: 1, // one at a time, in journal order
    timeoutMs: options.timeoutMs,
    queueLimit: 1,
    onResult: (r) => {
      if (r.final) posted.resolve(r);
    },
  });
  const headers = {
    "content-type": "application/json",
    "user-agent": userAgent(),
    ...(options.secret !== undefined ? { "x-webhook-key": options.secret } : {}),
  };
  return {
    url: options.url,
    post(entry: JournalEntry): Promise<ForwardResult> {
      // Before enqueue: a refused delivery reports its result at once.
      posted = settle<ForwardResult>();
      forwarder.enqueue({
        id: entry.id,
        event: entry.event,
        body: Buffer.from(entry.body, "utf8"),
        headers,
      });
      return posted.promise;
    },
    close: () => forwarder.close(),
  };
}

/** --exec: runs the command for one entry and waits for it to end. */
export function createCommandRunner(options: {
  argv: string[];
  clock: Clock;
  env: NodeJS.ProcessEnv;
  secret: string | undefined;
}) {
  // Resolved by the runner's result for the entry being run.
  let ran = settle<ExecResult>();
  const runner = createExecRunner({
    command: options.argv,
    clock: options.clock,
    concurrency: 1,
    queueLimit: 1,
    env: options.env,
    secret: options.secret,
    onResult: (r) => ran.resolve(r),
  });
  return {
    run(entry: JournalEntry): Promise<ExecResult> {
      ran = settle<ExecResult>();
      runner.enqueue({ id: entry.id, event: entry.event, body: entry.body, data: payloadData(entry.body) });
      return ran.promise;
    },
    close: () => runner.close(),
  };
}
