// Shared setup for the lifecycle e2e tests: an in-process sandbox, a loopback receiver as the webhook
// endpoint, and the built CLI pointed at the sandbox.
import assert from "node:assert/strict";
import type { TestContext } from "node:test";
import type { Sandbox, SandboxOptions } from "../../src/sandbox/index.js";
import { type CliOptions, type CliResult, runCli, spawnCli } from "../helpers/cli.js";
import { type Receiver, startReceiver, withSandbox } from "../helpers/sandbox.js";
import type { ScriptedApi } from "../helpers/scripted-api.js";
import { sleep, waitUntil } from "../helpers/wait.js";

export interface Harness {
  sandbox: Sandbox;
  receiver: Receiver;
  cli(args: string[], opts?: CliOptions): Promise<CliResult>;
  /** "METHOD /route" of every request the sandbox served so far. */
  routes(): string[];
  /** The token of the latest challenge the receiver got (waits for it). */
  latestToken(): Promise<string>;
}

export async function harness(t: TestContext, opts: SandboxOptions = {}): Promise<Harness> {
  const sandbox = await withSandbox(t, opts);
  const receiver = await startReceiver(t);
  const env = { CERTWH_BASE_URL: sandbox.url, CERTWH_API_KEY: sandbox.apiKey };
  return {
    sandbox,
    receiver,
    cli: (args, o = {}) => runCli(args, { ...o, env: { ...env, ...o.env } }),
    routes: () => sandbox.requests.map((r) => r.route ?? `UNKNOWN ${r.method} ${r.path}`),
    latestToken() {
      const lastChallenge = () =>
        receiver.received
          .filter((r) => (r.json as { event?: string } | undefined)?.event === "challenge_webhook_endpoint")
          .at(-1)?.json as { data: { token: string } } | undefined;
      return waitUntil(() => lastChallenge()?.data.token, "a challenge at the receiver", {
        timeoutMs: 5000,
        intervalMs: 50,
      });
    },
  };
}

/** stdout must be exactly one JSON document. */
export function oneJson(res: CliResult): Record<string, unknown> {
  const text = res.stdout.trim();
  assert.ok(text.length > 0, `stdout is empty; stderr: ${res.stderr}`);
  assert.equal(text.split("\n").length, 1, `more than one line on stdout: ${res.stdout}`);
  return JSON.parse(text) as Record<string, unknown>;
}

export function expectExit(res: CliResult, code: number): void {
  assert.equal(
    res.code,
    code,
    `exit ${res.code}, expected ${code}\nstdout: ${res.stdout}\nstderr: ${res.stderr}`,
  );
}

/** Create a webhook at the receiver and complete verification through the CLI. */
export async function createActive(h: Harness, extra: string[] = []): Promise<number> {
  const created = await h.cli(["create", "--url", h.receiver.url, ...extra, "--json"]);
  expectExit(created, 0);
  const token = await h.latestToken();
  expectExit(await h.cli(["verify", "--token", token]), 0);
  return oneJson(created).id as number;
}

/** Waits until the scripted CertCentral has seen `n` requests. */
const requestsReached = (api: ScriptedApi, n: number) =>
  waitUntil(() => api.requests.length >= n, `request ${n} at the scripted CertCentral`, {
    timeoutMs: 15_000,
  });

/** Runs certwh `argv`, sends `signal` once the `n`th request reached the scripted CertCentral, and waits for the exit. */
export async function stopAtRequest(
  t: TestContext,
  api: ScriptedApi,
  argv: string[],
  n: number,
  signal: NodeJS.Signals = "SIGINT",
  env: Record<string, string> = {},
): Promise<CliResult> {
  const run = spawnCli(t, argv, { env: { ...api.env, ...env } });
  await requestsReached(api, n);
  run.child.kill(signal);
  const { code, signal: killed } = await run.exit;
  return { code, signal: killed, stdout: run.stdout(), stderr: run.stderr() };
}

/**
 * Runs certwh `argv`, Ctrl-C once the change (request 2) is out, and again once the read-back after it (request
 * 3) reached the scripted CertCentral (past certwh's 100 ms window in which a repeated signal is the same one).
 */
export async function stopTwiceAtRequests(
  t: TestContext,
  api: ScriptedApi,
  argv: string[],
): Promise<CliResult> {
  const run = spawnCli(t, argv, { env: api.env });
  await requestsReached(api, 2);
  run.child.kill("SIGINT");
  const first = Date.now();
  await requestsReached(api, 3);
  await sleep(Math.max(0, first + 300 - Date.now()));
  run.child.kill("SIGINT");
  const { code, signal: killed } = await run.exit;
  return { code, signal: killed, stdout: run.stdout(), stderr: run.stderr() };
}
