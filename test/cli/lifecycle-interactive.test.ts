// Interactive paths of create and delete, run in-process: the Prompter (an injected dependency, not
// certwh logic) is replaced by a stub that answers like a person would.
import assert from "node:assert/strict";
import { test } from "node:test";
import { type CommandContext, createContext } from "../../src/commands/context.js";
import { run as runCreate } from "../../src/commands/create.js";
import { run as runDelete } from "../../src/commands/delete.js";
import type { GlobalFlags } from "../../src/config/types.js";
import type { CertwhError } from "../../src/errors.js";
import type { Prompter } from "../../src/io/prompt.js";
import { ManualClock } from "../../src/util/clock.js";
import { type CapturedStream, captureStream } from "../helpers/capture.js";
import { tempDir } from "../helpers/cli.js";
import { type Receiver, startReceiver, withSandbox } from "../helpers/sandbox.js";
import { flagsOf } from "./argv-support.js";

interface Harness {
  ctx: CommandContext;
  stdout: CapturedStream;
  stderr: CapturedStream;
  prompts: string[];
}

async function context(
  t: import("node:test").TestContext,
  answer: { input?: (msg: string) => Promise<string>; confirm?: boolean },
  globals: Partial<GlobalFlags> = {},
) {
  const clock = new ManualClock();
  const sandbox = await withSandbox(t, { clock });
  const receiver = await startReceiver(t);
  const stdout = captureStream();
  const stderr = captureStream();
  const home = tempDir();
  const base = createContext({
    globals: { json: false, color: false, verbose: false, input: true, yes: false, ...globals },
    env: { CERTWH_BASE_URL: sandbox.url, CERTWH_API_KEY: sandbox.apiKey, XDG_CONFIG_HOME: home, HOME: home },
    stdout,
    stderr,
    stdinIsTTY: true,
    clock,
  });
  const prompts: string[] = [];
  const prompt: Prompter = {
    interactive: true,
    async input(message) {
      prompts.push(message);
      assert.ok(answer.input, `unexpected prompt: ${message}`);
      return answer.input(message);
    },
    async password(message) {
      throw new Error(`unexpected password prompt: ${message}`);
    },
    async confirm(message) {
      prompts.push(message);
      assert.ok(answer.confirm !== undefined, `unexpected confirm: ${message}`);
      return answer.confirm;
    },
  };
  const h: Harness = { ctx: { ...base, interactive: true, prompt }, stdout, stderr, prompts };
  return { h, sandbox, receiver, clock };
}

function challengeToken(receiver: Receiver): string {
  const c = receiver.received.find(
    (r) => (r.json as { event?: string }).event === "challenge_webhook_endpoint",
  );
  assert.ok(c, "the challenge reached the receiver");
  return (c.json as { data: { token: string } }).data.token;
}

test("interactive create: prompts for the token with the time left, then verifies and activates", async (t) => {
  let receiverRef: Receiver | undefined;
  let clockRef: ManualClock | undefined;
  const { h, sandbox, receiver, clock } = await context(t, {
    input: async () => {
      clockRef?.advance(60_000); // the person takes a minute
      return `  ${challengeToken(receiverRef as Receiver)}  `;
    },
  });
  receiverRef = receiver;
  clockRef = clock;
  await runCreate(
    flagsOf("create", ["create", "--url", receiver.url, "--event", "certificate_issued"]),
    h.ctx,
  );
  assert.equal(h.prompts.length, 1);
  assert.match(h.prompts[0], /received at http:\/\/127\.0\.0\.1:\d+\/hook/);
  assert.match(h.prompts[0], /\(30:00 left\)/);
  assert.equal(sandbox.webhook()?.status, "active");
  assert.match(h.stderr.text(), /Verified/);
  assert.match(h.stderr.text(), /is active/);
  assert.equal(h.stdout.text(), "", "nothing on stdout in human mode without a generated secret");
});

test("interactive create: a token typed after the 30 minutes is not submitted (exit 6, resume hint)", async (t) => {
  let clockRef: ManualClock | undefined;
  const { h, sandbox, receiver, clock } = await context(t, {
    input: async () => {
      clockRef?.advance(31 * 60_000);
      return "too-late-anyway";
    },
  });
  clockRef = clock;
  await assert.rejects(
    runCreate(flagsOf("create", ["create", "--url", receiver.url]), h.ctx),
    (e: { exitCode?: number; hint?: string }) => {
      assert.equal(e.exitCode, 6);
      assert.match(e.hint ?? "", /certwh challenge/);
      return true;
    },
  );
  assert.ok(!sandbox.requests.some((r) => r.route === "PUT /webhook/:id/check-challenge"));
  assert.equal(sandbox.webhook()?.status, "pending");
});

test("interactive create: a blank token asks again, showing the time left as of each prompt", async (t) => {
  let receiverRef: Receiver | undefined;
  let clockRef: ManualClock | undefined;
  const answers = ["", "   \t "];
  const { h, sandbox, receiver, clock } = await context(t, {
    input: async () => {
      clockRef?.advance(5 * 60_000); // five minutes per answer
      const next = answers.shift();
      return next ?? challengeToken(receiverRef as Receiver);
    },
  });
  receiverRef = receiver;
  clockRef = clock;
  await runCreate(flagsOf("create", ["create", "--url", receiver.url]), h.ctx);
  assert.equal(h.prompts.length, 3, "asked again after each blank answer");
  assert.match(h.prompts[0], /\(30:00 left\)/);
  assert.match(h.prompts[1], /\(25:00 left\)/);
  assert.match(h.prompts[2], /\(20:00 left\)/);
  assert.match(h.stderr.text(), /token is empty/);
  assert.equal(
    sandbox.requests.filter((r) => r.route === "PUT /webhook/:id/check-challenge").length,
    1,
    "a blank answer is never submitted",
  );
  assert.equal(sandbox.webhook()?.status, "active");
});

test("interactive delete: asks first; no → exit 2 (declined), nothing deleted; yes → deleted", async (t) => {
  const no = await context(t, { confirm: false });
  await no.h.ctx
    .api()
    .then((api) => api.createWebhook({ endpoint: no.receiver.url, events: ["certificate_issued"] }));
  await assert.rejects(runDelete({}, no.h.ctx), (err: CertwhError) => {
    assert.equal(err.exitCode, 2);
    assert.equal(err.code, "declined");
    assert.match(err.message, /Declined: webhook \d+ was not deleted/);
    return true;
  });
  assert.match(no.h.prompts[0], /Delete webhook \d+/);
  assert.ok(no.sandbox.webhook(), "kept");
  assert.ok(!no.sandbox.requests.some((r) => r.method === "DELETE"));

  const yes = await context(t, { confirm: true });
  await yes.h.ctx
    .api()
    .then((api) => api.createWebhook({ endpoint: yes.receiver.url, events: ["certificate_issued"] }));
  await runDelete({}, yes.h.ctx);
  assert.equal(yes.sandbox.webhook(), null);
});

test("TERM=dumb: no prompt even on a TTY (its redrawing would show as text); delete asks for --yes", async (t) => {
  const sandbox = await withSandbox(t, { clock: new ManualClock() });
  const home = tempDir();
  const ctx = createContext({
    globals: { json: false, color: false, verbose: false, input: true, yes: false },
    env: {
      CERTWH_BASE_URL: sandbox.url,
      CERTWH_API_KEY: sandbox.apiKey,
      XDG_CONFIG_HOME: home,
      HOME: home,
      TERM: "dumb",
    },
    stdout: captureStream(),
    stderr: captureStream(),
    stdinIsTTY: true,
  });
  assert.equal(ctx.interactive, false);
  await assert.rejects(runDelete({}, ctx), (err: CertwhError) => {
    assert.equal(err.exitCode, 2);
    assert.match(
      err.message,
      /needs confirmation, and certwh does not prompt here \(no terminal on stdin, --no-input, CI or TERM=dumb\): pass --yes/,
    );
    return true;
  });
});
