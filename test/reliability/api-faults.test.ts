// API faults from the sandbox for every lifecycle command (issue 5): 429 storms, 5xx, hangs and dropped
// connections on the call that matters for each command. Each command must end with the documented exit code
// (3 for 429/5xx/network failures after any retries, 6 for timeouts), send the faulted call exactly as often
// as the retry rules allow (never a second create, challenge, check or update), and leave the webhook in a
// state `certwh status` reports as the sandbox holds it.
import assert from "node:assert/strict";
import { describe, type TestContext, test } from "node:test";
import { API_ATTEMPTS } from "../../src/api/retry.js";
import type { Fault, Sandbox } from "../../src/sandbox/index.js";
import { type CliResult, runCli } from "../helpers/cli.js";
import { type Receiver, startReceiver, withSandbox } from "../helpers/sandbox.js";
import { sleep } from "../helpers/wait.js";

type State = "none" | "pending" | "challenged" | "verified" | "active";

interface CommandCase {
  name: string;
  state: State;
  args(ctx: { receiver: Receiver; token: string }): string[];
  /** The call the fault hits. */
  route: string;
  /** Safe to repeat: the client makes up to API_ATTEMPTS attempts. */
  retried: boolean;
  /** Never repeated; after no answer the account is read back (again after 2 s) to see if it was applied. */
  readsBack?: boolean;
}

const COMMANDS: CommandCase[] = [
  { name: "status", state: "active", args: () => ["status"], route: "GET /webhook", retried: true },
  {
    name: "create",
    state: "none",
    args: ({ receiver }) => ["create", "--url", receiver.url],
    route: "POST /webhook",
    retried: false,
    readsBack: true,
  },
  {
    name: "update-url",
    state: "active",
    args: ({ receiver }) => ["update-url", "--url", `${receiver.url}/v2`],
    route: "PUT /webhook/:id",
    retried: false,
    readsBack: true,
  },
  {
    name: "test",
    state: "active",
    args: () => ["test"],
    route: "POST /webhook/test-endpoint",
    retried: false,
  },
  {
    name: "challenge",
    state: "pending",
    args: () => ["challenge"],
    route: "PUT /webhook/:id/send-challenge",
    retried: false,
  },
  {
    name: "verify",
    state: "challenged",
    args: ({ token }) => ["verify", "--token", token],
    route: "PUT /webhook/:id/check-challenge",
    retried: false,
  },
  {
    name: "activate",
    state: "verified",
    args: () => ["activate"],
    route: "PUT /webhook/:id/activate",
    retried: true,
    readsBack: true,
  },
  {
    name: "deactivate",
    state: "active",
    args: () => ["deactivate"],
    route: "PUT /webhook/:id/deactivate",
    retried: true,
    readsBack: true,
  },
  {
    name: "delete",
    state: "active",
    args: () => ["delete", "--yes"],
    route: "DELETE /webhook/:id",
    retried: false,
  },
  {
    name: "logs",
    state: "active",
    args: () => ["logs"],
    route: "GET /webhook/:id/event-logs",
    retried: true,
  },
];

const HANG_MS = 1500;
// Long enough for a loaded machine to answer a fault at once, short against HANG_MS.
const REQUEST_TIMEOUT = "1";

interface FaultCase {
  name: string;
  fault: Fault;
  exitCode: number;
  stderr: RegExp;
}

const FAULTS: FaultCase[] = [
  // DigiCert sends no Retry-After with its 429.
  { name: "429 storm", fault: { status: 429 }, exitCode: 3, stderr: /rate limit|429|too many/i },
  { name: "503", fault: { status: 503 }, exitCode: 3, stderr: /503|unavailable|CertCentral/i },
  { name: "hang", fault: { delayMs: HANG_MS }, exitCode: 6, stderr: /did not answer|timed out|within/i },
  {
    name: "dropped connection",
    fault: { drop: true },
    exitCode: 3,
    stderr: /could not reach|network|reset|socket/i,
  },
];

/** Direct sandbox API calls for the setup (not through certwh, so the command under test starts clean). */
async function call(sandbox: Sandbox, method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${sandbox.url}${path}`, {
    method,
    headers: { "x-dc-devkey": sandbox.apiKey, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(5000),
  });
  const text = await res.text();
  assert.ok(res.ok, `setup ${method} ${path} → ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

async function prepare(sandbox: Sandbox, receiver: Receiver, state: State): Promise<string> {
  if (state === "none") return "";
  const { webhook_id: id } = (await call(sandbox, "POST", "/webhook", {
    endpoint: receiver.url,
    events: ["certificate_issued"],
  })) as { webhook_id: number };
  if (state === "pending") return "";
  await call(sandbox, "PUT", `/webhook/${id}/send-challenge`);
  const challenge = sandbox.deliveries.filter((d) => d.kind === "challenge").at(-1);
  const token = (challenge?.body as { data?: { token?: string } } | undefined)?.data?.token;
  assert.ok(token, "no challenge token was delivered during setup");
  if (state === "challenged") return token;
  await call(sandbox, "PUT", `/webhook/${id}/check-challenge`, { token });
  if (state === "verified") return token;
  await call(sandbox, "PUT", `/webhook/${id}/activate`);
  return token;
}

function explain(res: CliResult, code: number): string {
  return `exit ${res.code}, expected ${code}\nstdout: ${res.stdout}\nstderr: ${res.stderr}`;
}

async function runCase(t: TestContext, command: CommandCase, fault: FaultCase): Promise<void> {
  const sandbox = await withSandbox(t);
  const receiver = await startReceiver(t);
  const token = await prepare(sandbox, receiver, command.state);
  const env = { CERTWH_BASE_URL: sandbox.url, CERTWH_API_KEY: sandbox.apiKey };
  const attempts = command.retried ? API_ATTEMPTS : 1;
  sandbox.inject(command.route, ...Array.from({ length: attempts }, () => fault.fault));
  const before = sandbox.requests.length;

  const res = await runCli(["--request-timeout", REQUEST_TIMEOUT, ...command.args({ receiver, token })], {
    env,
    timeoutMs: 30_000,
  });
  // A hang shorter than the read-back pause: the change was applied, and certwh finds and says so.
  const expected =
    command.readsBack && "delayMs" in fault.fault
      ? { exitCode: 0, stderr: /reading (the account|it) back shows/ }
      : fault;
  assert.equal(res.code, expected.exitCode, explain(res, expected.exitCode));
  assert.match(res.stderr, expected.stderr);

  const routes = sandbox.requests.slice(before).map((r) => r.route);
  const count = (route: string) => routes.filter((r) => r === route).length;
  assert.equal(
    count(command.route),
    attempts,
    `${command.route} sent ${count(command.route)} times: ${routes}`,
  );
  for (const once of [
    "POST /webhook",
    "PUT /webhook/:id",
    "PUT /webhook/:id/send-challenge",
    "PUT /webhook/:id/check-challenge",
  ]) {
    assert.ok(count(once) <= 1, `${once} repeated: ${routes.join(", ")}`);
  }

  // A hung call is still carried out by the sandbox once its delay is over: wait for it, then ask status.
  if ("delayMs" in fault.fault) await sleep(HANG_MS + 300);
  const status = await runCli(["status", "--json"], { env });
  const hook = sandbox.webhook();
  if (!hook) {
    assert.equal(status.code, 5, explain(status, 5));
    return;
  }
  assert.equal(status.code, 0, explain(status, 0));
  const shown = JSON.parse(status.stdout) as { status?: string; endpoint?: string };
  assert.equal(shown.status, hook.status, "status --json disagrees with the sandbox");
  assert.equal(shown.endpoint, hook.endpoint);
}

describe("lifecycle commands under API faults", { concurrency: 6 }, () => {
  for (const command of COMMANDS) {
    for (const fault of FAULTS) {
      test(`${command.name}: ${fault.name} on ${command.route} → exit ${fault.exitCode}`, (t) =>
        runCase(t, command, fault));
    }
  }
});

test("a dropped connection is worded as one: the host was reached, it closed the connection without answering", async (t) => {
  const sandbox = await withSandbox(t);
  const host = new URL(sandbox.url).host;
  const env = { CERTWH_BASE_URL: sandbox.url, CERTWH_API_KEY: sandbox.apiKey };
  sandbox.inject("GET /webhook", ...Array.from({ length: API_ATTEMPTS }, (): Fault => ({ drop: true })));
  // --json: the error document on stdout, and the sentence a person reads on stderr.
  const res = await runCli(["status", "--json"], { env, timeoutMs: 30_000 });
  assert.equal(res.code, 3, explain(res, 3));
  const sentence = `${host} closed the connection without answering (UND_ERR_SOCKET).`;
  assert.deepEqual(JSON.parse(res.stdout), { error: { exit_code: 3, code: "network", message: sentence } });
  assert.ok(res.stderr.includes(`✗ ${sentence}\n`), res.stderr);
  assert.doesNotMatch(
    res.stderr,
    /could not reach/i,
    "the host was reached: not in the retry notices either",
  );
});
