// Shared pieces of the listen hardening tests: the built `certwh listen --sandbox --json` as a child process
// (NDJSON lines collected as they arrive), and a bounded load generator posting unique certificate_issued
// events over a keep-alive undici Pool.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { setMaxListeners } from "node:events";
import { join } from "node:path";
import type { TestContext } from "node:test";
import { Pool } from "undici";
import { deadline } from "../../src/util/deadline.js";
import { type Exit, type JsonLine, type Running, spawnCli, tempDir } from "../helpers/cli.js";

export type Line = JsonLine;

export interface ListenChild {
  child: Running["child"];
  /** The hook URL on 127.0.0.1 (no tunnel with --sandbox). */
  url: URL;
  secret: string;
  journal: string;
  home: string;
  lines: Line[];
  stderr(): string;
  /** Resolves with the first line (already seen or to come) matching `match`; rejects after `timeoutMs`. */
  waitFor(match: (line: Line) => boolean, timeoutMs?: number): Promise<Line>;
  /** Resolves with the exit code/signal once the process has exited (SIGKILL after `timeoutMs`). */
  exited(timeoutMs?: number): Promise<Exit>;
}

export async function startListen(t: TestContext, extraArgs: string[] = []): Promise<ListenChild> {
  const home = tempDir("certwh-reliability-");
  const secret = randomBytes(32).toString("base64url");
  const journal = join(home, "journal.ndjson");
  const run = spawnCli(
    t,
    [
      "listen",
      "--sandbox",
      "--json",
      "--secret-env",
      "RELIABILITY_SECRET",
      "--journal",
      journal,
      ...extraArgs,
    ],
    // The load tests run for minutes; exited() bounds each stop instead.
    { env: { RELIABILITY_SECRET: secret }, configHome: home, killAfterMs: 600_000 },
  );
  const waitFor = (match: (line: Line) => boolean, timeoutMs = 15_000) => run.line(match, timeoutMs);
  const ready = await waitFor((l) => l.type === "ready", 20_000);
  return {
    child: run.child,
    url: new URL(String(ready.local_url)),
    secret,
    journal,
    home,
    lines: run.lines,
    stderr: run.stderr,
    waitFor,
    exited: async (timeoutMs = 20_000) => {
      const timer = setTimeout(() => run.child.kill("SIGKILL"), timeoutMs);
      try {
        return await run.exit;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** A certificate_issued body whose order id makes it unique (so de-duplication never hides one). */
export function eventBody(orderId: number): string {
  return JSON.stringify({
    event: "certificate_issued",
    data: { order_id: orderId, certificate_id: 471270113 },
  });
}

export interface LoadResult {
  /** Order ids answered 200. */
  ok: number[];
  /** Order ids answered otherwise, or that failed (connection lost). */
  failed: number[];
}

/**
 * Posts `count` events (order ids `firstOrderId`…) to the hook with `concurrency` requests in flight over a
 * keep-alive pool. Stops early when `stop` aborts (e.g. the server was killed); bounded by `timeoutMs`.
 */
export async function postEvents(
  hook: URL,
  secret: string,
  opts: { count: number; concurrency: number; firstOrderId?: number; timeoutMs?: number; stop?: AbortSignal },
): Promise<LoadResult> {
  const pool = new Pool(hook.origin, {
    connections: opts.concurrency,
    pipelining: 1,
    keepAliveTimeout: 10_000,
  });
  const limit = deadline(opts.timeoutMs ?? 60_000, opts.stop);
  const { signal } = limit;
  // Every request in flight listens to the same signal.
  setMaxListeners(opts.concurrency + 10, signal);
  const first = opts.firstOrderId ?? 1;
  const result: LoadResult = { ok: [], failed: [] };
  let next = 0;
  const worker = async () => {
    while (next < opts.count && !signal.aborted) {
      const orderId = first + next++;
      try {
        const res = await pool.request({
          path: hook.pathname,
          method: "POST",
          headers: { "content-type": "application/json", "x-webhook-key": secret },
          body: eventBody(orderId),
          signal,
        });
        await res.body.dump();
        (res.statusCode === 200 ? result.ok : result.failed).push(orderId);
      } catch {
        result.failed.push(orderId);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: opts.concurrency }, worker));
  } finally {
    limit.clear();
    await pool.destroy().catch(() => undefined);
  }
  assert.ok(!limit.expired, `posting ${opts.count} events took longer than ${opts.timeoutMs ?? 60_000} ms`);
  return result;
}

/** order_id of a journal entry's body, or undefined for other events (test, challenge). */
export function orderIdOf(body: string): number | undefined {
  const parsed = JSON.parse(body) as { event?: string; data?: { order_id?: number } };
  return parsed.event === "certificate_issued" ? parsed.data?.order_id : undefined;
}
