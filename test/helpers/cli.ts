// Spawn the built CLI as users run it, with an isolated config directory and no TTY; and any other
// process a test watches while it runs (output collected, NDJSON lines parsed, every wait bounded).
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "node:test";
import { fileURLToPath } from "node:url";
import { Notifier, waitUntil } from "./wait.js";

const ROOT = new URL("../../", import.meta.url);
const pkg = JSON.parse(readFileSync(new URL("package.json", ROOT), "utf8")) as { bin: { certwh: string } };

/** The launcher users run: package.json's `bin`, so moving the launcher needs no change here. */
export const BIN = fileURLToPath(new URL(pkg.bin.certwh, ROOT));

/** The command line that runs certwh with `args`, for tools that take one (spawnSync, `script -c`). */
export function cliArgv(args: string[]): string[] {
  return [process.execPath, BIN, ...args];
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env?: Record<string, string | undefined>;
  /** Written to stdin, then stdin is closed. */
  input?: string;
  /** Kill the process after this long (default 20 s) so a hang fails the test instead of the run. */
  timeoutMs?: number;
  /** The config home; a fresh temporary directory when omitted. */
  configHome?: string;
}

export function tempDir(prefix = "certwh-test-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Environment for a spawned certwh: nothing inherited that could reach a real account or home. */
export function cliEnv(
  extra: Record<string, string | undefined> = {},
  configHome = tempDir(),
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: configHome,
    XDG_CONFIG_HOME: configHome,
    NO_COLOR: "1",
    CI: "1",
  };
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

/** Runs certwh to completion and returns what it printed. */
export async function runCli(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  const run = watch(process.execPath, [BIN, ...args], {
    env: cliEnv(opts.env, opts.configHome),
    killAfterMs: opts.timeoutMs ?? 20_000,
    input: opts.input ?? "",
  });
  const { code, signal } = await run.exit;
  return { code, signal, stdout: run.stdout(), stderr: run.stderr() };
}

export type JsonLine = Record<string, unknown>;
export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A process the test watches while it runs. */
export interface Running {
  child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** stdout's complete lines as they arrive, parsed as JSON ({ type: "__not_json__", text } when not). */
  lines: JsonLine[];
  /** Settles once the process has exited and its output is in. */
  exit: Promise<Exit>;
  /** Resolves with the probe's first answer, re-checked on output and exit; rejects after timeoutMs. */
  until<T>(probe: () => T | undefined | false, what: string, timeoutMs?: number): Promise<T>;
  /** The first NDJSON line matching (waits up to timeoutMs, default 10 s). */
  line(predicate: (l: JsonLine) => boolean, timeoutMs?: number): Promise<JsonLine>;
  /** Resolves when stderr contains the text. */
  stderrIncludes(text: string, timeoutMs?: number): Promise<void>;
}

export interface WatchOptions {
  env: NodeJS.ProcessEnv;
  cwd?: string;
  /** SIGKILL after this long, so a hang fails the test instead of the run. */
  killAfterMs: number;
  /** Written to stdin, which is then closed. Default: stdin closed at once. */
  input?: string;
  /** Leave stdin open for the test to write to. */
  keepStdin?: boolean;
}

/** Spawns `command` and collects its output; a test passes `t` to have it killed afterwards. */
export function watch(command: string, args: string[], opts: WatchOptions, t?: TestContext): Running {
  const child = spawn(command, args, { env: opts.env, cwd: opts.cwd, stdio: ["pipe", "pipe", "pipe"] });
  if (!opts.keepStdin) child.stdin.end(opts.input ?? "");
  let out = "";
  let err = "";
  let partial = "";
  let exited = false;
  const lines: JsonLine[] = [];
  const changes = new Notifier();
  child.stdout.setEncoding("utf8").on("data", (d: string) => {
    out += d;
    const parts = (partial + d).split("\n");
    partial = parts.pop() ?? "";
    for (const text of parts) lines.push(parseLine(text));
    changes.notify();
  });
  child.stderr.setEncoding("utf8").on("data", (d: string) => {
    err += d;
    changes.notify();
  });
  const killer = setTimeout(() => child.kill("SIGKILL"), opts.killAfterMs);
  const exit = new Promise<Exit>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(killer);
      exited = true;
      changes.notify();
      resolve({ code, signal });
    });
  });
  t?.after(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await exit.catch(() => undefined);
  });

  const until: Running["until"] = (probe, what, timeoutMs = 10_000) =>
    changes.until(
      () => {
        const answer = probe();
        if ((answer === undefined || answer === false) && exited)
          throw failure(`the process exited before ${what}`);
        return answer;
      },
      timeoutMs,
      () => failure(`timed out waiting for ${what}`),
    );
  const failure = (message: string) =>
    new Error(`${message}\nstdout (end):\n${out.slice(-2000)}\nstderr (end):\n${err.slice(-2000)}`);

  return {
    child,
    stdout: () => out,
    stderr: () => err,
    lines,
    exit,
    until,
    line: (predicate, timeoutMs) => until(() => lines.find(predicate), "an NDJSON line", timeoutMs),
    stderrIncludes: async (text, timeoutMs) => {
      await until(() => err.includes(text), JSON.stringify(text), timeoutMs);
    },
  };
}

function parseLine(text: string): JsonLine {
  try {
    return JSON.parse(text) as JsonLine;
  } catch {
    return { type: "__not_json__", text };
  }
}

export interface SpawnCliOptions {
  env?: Record<string, string | undefined>;
  /** The config home; a fresh temporary directory when omitted. */
  configHome?: string;
  /** SIGKILL after this long (default 40 s). */
  killAfterMs?: number;
}

/** Starts certwh and returns at once, for commands that run until stopped (listen, sandbox). */
export function spawnCli(t: TestContext, args: string[], opts: SpawnCliOptions = {}): Running {
  return watch(
    process.execPath,
    [BIN, ...args],
    { env: cliEnv(opts.env, opts.configHome), killAfterMs: opts.killAfterMs ?? 40_000 },
    t,
  );
}

/** Matches listen's NDJSON state line for `stage`. */
export function isState(stage: string) {
  return (l: JsonLine) => l.type === "state" && l.stage === stage;
}

/** certwh started with the loading of one of its modules held back (hold-module.mjs), and the hold's controls. */
export interface HeldCli extends Running {
  /** Resolves once certwh is loading the held module (and waits there). */
  holding(): Promise<void>;
  /** Lets the held module load. */
  release(): void;
}

/** Starts certwh whose import of the dist module whose path ends with `module` (`cli/main.js`) waits for release(). */
export function spawnCliHolding(
  t: TestContext,
  args: string[],
  module: string,
  opts: SpawnCliOptions = {},
): HeldCli {
  const dir = tempDir("certwh-hold-");
  const hook = fileURLToPath(new URL("./hold-module.mjs", import.meta.url));
  const env = { ...opts.env, CERTWH_TEST_HOLD_DIR: dir, CERTWH_TEST_HOLD_MODULE: `/dist/${module}` };
  const run = watch(
    process.execPath,
    ["--import", hook, BIN, ...args],
    { env: cliEnv(env, opts.configHome), killAfterMs: opts.killAfterMs ?? 40_000 },
    t,
  );
  const holding = async () => {
    await waitUntil(() => existsSync(join(dir, "holding")), `certwh loading ${module}`, {
      timeoutMs: 15_000,
    });
  };
  return { ...run, holding, release: () => writeFileSync(join(dir, "release"), "") };
}
