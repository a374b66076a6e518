// Shared pieces of the listen hardening tests: the built `certwh listen --sandbox --json` as a child process
// (NDJSON lines collected as they arrive), and a bounded load generator posting unique certificate_issued
// events over a keep-alive undici Pool.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { setMaxListeners } from "node:events";
import { join } from "node:path";
import type { TestContext } from "node:test";
import { Pool } from "undici";
import { BIN, cliEnv, tempDir } from "../helpers/cli.js";

export type Line = Record<string, unknown> & { type: string };

export interface ListenChild {
  child: ChildProcess;
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
  exited(timeoutMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export async function startListen(t: TestContext, extraArgs: string[] = []): Promise<ListenChild> {
  const home = tempDir("certwh-reliability-");
  const secret = randomBytes(32).toString("base64url");
  const journal = join(home, "journal.ndjson");
  const child = spawn(
    process.execPath,
    [
      BIN,
      "listen",
      "--sandbox",
      "--json",
      "--secret-env",
      "RELIABILITY_SECRET",
      "--journal",
      journal,
      ...extraArgs,
    ],
    { env: cliEnv({ RELIABILITY_SECRET: secret }, home), stdio: ["ignore", "pipe", "pipe"] },
  );
  const lines: Line[] = [];
  const waiters = new Set<() => void>();
  let stderr = "";
  let buffer = "";
  child.stderr?.setEncoding("utf8").on("data", (d: string) => {
    stderr += d;
  });
  child.stdout?.setEncoding("utf8").on("data", (d: string) => {
    buffer += d;
    const parts = buffer.split("\n");
    buffer = parts.pop() ?? "";
    for (const text of parts) if (text.trim()) lines.push(JSON.parse(text) as Line);
    for (const w of waiters) w();
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });

  const waitFor = (match: (line: Line) => boolean, timeoutMs = 15_000) =>
    new Promise<Line>((resolve, reject) => {
      let seen = 0;
      const check = () => {
        for (; seen < lines.length; seen++) {
          if (match(lines[seen]!)) {
            done();
            resolve(lines[seen]!);
            return;
          }
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no matching listen line within ${timeoutMs} ms; stderr: ${stderr.slice(-1000)}`));
      }, timeoutMs);
      const onExit = () => {
        check();
        done();
        reject(
          new Error(`listen exited (${child.exitCode ?? child.signalCode}); stderr: ${stderr.slice(-1000)}`),
        );
      };
      const done = () => {
        clearTimeout(timer);
        waiters.delete(check);
        child.off("exit", onExit);
      };
      waiters.add(check);
      child.once("exit", onExit);
      check();
    });

  const ready = await waitFor((l) => l.type === "ready", 20_000);
  return {
    child,
    url: new URL(String(ready.local_url)),
    secret,
    journal,
    home,
    lines,
    stderr: () => stderr,
    waitFor,
    exited: async (timeoutMs = 20_000) => {
      const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
      try {
        return await exit;
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
  const deadline = AbortSignal.timeout(opts.timeoutMs ?? 60_000);
  const signal = opts.stop ? AbortSignal.any([deadline, opts.stop]) : deadline;
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
    await pool.destroy().catch(() => undefined);
  }
  assert.ok(
    !deadline.aborted,
    `posting ${opts.count} events took longer than ${opts.timeoutMs ?? 60_000} ms`,
  );
  return result;
}

/** order_id of a journal entry's body, or undefined for other events (test, challenge). */
export function orderIdOf(body: string): number | undefined {
  const parsed = JSON.parse(body) as { event?: string; data?: { order_id?: number } };
  return parsed.event === "certificate_issued" ? parsed.data?.order_id : undefined;
}
