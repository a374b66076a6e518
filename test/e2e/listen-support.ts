// Spawns the built `certwh listen` and reads its NDJSON stdout line by line while it runs.
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { createServer } from "node:net";
import type { TestContext } from "node:test";
import { BIN, cliEnv } from "../helpers/cli.js";

export interface Listening {
  child: ChildProcessWithoutNullStreams;
  lines: Record<string, unknown>[];
  stdout(): string;
  stderr(): string;
  /** The first NDJSON line matching (waits up to timeoutMs, default 10 s). */
  line(
    predicate: (l: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  /** Resolves when stderr contains the text. */
  stderrIncludes(text: string, timeoutMs?: number): Promise<void>;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function spawnListen(
  t: TestContext,
  args: string[],
  env: Record<string, string | undefined> = {},
  configHome?: string,
): Listening {
  const child = spawn(process.execPath, [BIN, "listen", ...args], {
    env: cliEnv(env, configHome),
    stdio: ["pipe", "pipe", "pipe"],
  });
  child.stdin.end();
  let out = "";
  let err = "";
  const lines: Record<string, unknown>[] = [];
  const waiters = new Set<() => void>();
  const notify = () => {
    for (const w of [...waiters]) w();
  };
  child.stdout.setEncoding("utf8").on("data", (d: string) => {
    out += d;
    const parts = out.split("\n");
    const complete = parts.slice(0, -1);
    lines.length = 0;
    for (const text of complete) {
      try {
        lines.push(JSON.parse(text));
      } catch {
        lines.push({ type: "__not_json__", text });
      }
    }
    notify();
  });
  child.stderr.setEncoding("utf8").on("data", (d: string) => {
    err += d;
    notify();
  });
  // A hang must fail the test, not the run.
  const killer = setTimeout(() => child.kill("SIGKILL"), 40_000);
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on("close", (code, signal) => {
      clearTimeout(killer);
      notify();
      resolve({ code, signal });
    });
  });
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await exit;
  });

  const until = (check: () => boolean, what: string, timeoutMs: number) =>
    new Promise<void>((resolve, reject) => {
      const attempt = () => {
        if (!check()) return false;
        waiters.delete(attempt);
        clearTimeout(timer);
        resolve();
        return true;
      };
      const timer = setTimeout(() => {
        waiters.delete(attempt);
        reject(new Error(`timed out waiting for ${what}\nstdout:\n${out}\nstderr:\n${err}`));
      }, timeoutMs);
      if (!attempt()) waiters.add(attempt);
    });

  return {
    child,
    lines,
    stdout: () => out,
    stderr: () => err,
    async line(predicate, timeoutMs = 10_000) {
      let found: Record<string, unknown> | undefined;
      await until(
        () => {
          found = lines.find(predicate);
          return found !== undefined;
        },
        "an NDJSON line",
        timeoutMs,
      );
      return found as Record<string, unknown>;
    },
    stderrIncludes(text, timeoutMs = 10_000) {
      return until(() => err.includes(text), JSON.stringify(text), timeoutMs);
    },
    exit,
  };
}

/** A port that was free a moment ago (for --port together with --public-url http://127.0.0.1:<port>). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export function isState(stage: string) {
  return (l: Record<string, unknown>) => l.type === "state" && l.stage === stage;
}
