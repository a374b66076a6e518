// Runs the listen orchestration in-process against a strict sandbox (the network boundary), with an injected
// tunnel and clock, and records the state events it emits.
import assert from "node:assert/strict";
import { join } from "node:path";
import type { TestContext } from "node:test";
import type { WebhookApi } from "../../src/api/types.js";
import { createWebhookApi } from "../../src/api/webhooks.js";
import { InterruptedError } from "../../src/errors.js";
import { runListen } from "../../src/listen/orchestrate.js";
import type { ListenDeps, ListenEvent, ListenOptions, ListenResult } from "../../src/listen/types.js";
import { startSandbox } from "../../src/sandbox/index.js";
import type { Sandbox, SandboxOptions } from "../../src/sandbox/types.js";
import type { Tunnel } from "../../src/tunnel/tunnel.js";
import { type Clock, systemClock } from "../../src/util/clock.js";
import { tempDir } from "../helpers/cli.js";
import { FakeTunnel } from "../helpers/fake-tunnel.js";
import { call, type Receiver } from "../helpers/sandbox.js";
import { Notifier } from "../helpers/wait.js";

export const SECRET = "listen-secret-0123456789abcdefghijklmn";

export interface Session {
  sandbox: Sandbox;
  api: WebhookApi;
  tunnel: Tunnel;
  events: ListenEvent[];
  journalPath: string;
  /** Settles with the result, or with the error runListen threw. */
  outcome: Promise<{ result?: ListenResult; error?: unknown }>;
  interrupt(signal?: "SIGINT" | "SIGTERM"): void;
  /** The first event matching `predicate` (waits up to timeoutMs). */
  waitFor<T extends ListenEvent = ListenEvent>(
    predicate: (e: ListenEvent) => boolean,
    timeoutMs?: number,
  ): Promise<T>;
  ready(): Promise<Extract<ListenEvent, { type: "ready" }>>;
  /** State-changing API requests the sandbox saw (anything but GET). */
  changes(): string[];
}

export interface SessionInit {
  options?: Partial<ListenOptions>;
  deps?: Partial<ListenDeps>;
  tunnel?: Tunnel;
  clock?: Clock;
  sandbox?: SandboxOptions;
  /** Use this sandbox instead of starting one. */
  sandboxInstance?: Sandbox;
}

export function apiFor(sandbox: Sandbox, clock: Clock = systemClock): WebhookApi {
  return createWebhookApi({
    baseUrl: sandbox.url,
    apiKey: sandbox.apiKey,
    timeoutMs: 5000,
    userAgent: "certwh-test",
    clock,
  });
}

export async function startSession(t: TestContext, init: SessionInit = {}): Promise<Session> {
  const sandbox = init.sandboxInstance ?? (await startSandbox(init.sandbox));
  const clock = init.clock ?? systemClock;
  const api = apiFor(sandbox);
  const tunnel = init.tunnel ?? new FakeTunnel();
  const journalPath = join(tempDir("certwh-listen-"), "journal.ndjson");
  const events: ListenEvent[] = [];
  const changes = new Notifier();
  const interrupt = new AbortController();
  const options: ListenOptions = {
    secret: SECRET,
    force: false,
    onExit: "deactivate",
    journalPath,
    limits: { headersTimeoutMs: 2000, requestTimeoutMs: 3000, connectionsCheckingIntervalMs: 200 },
    ...init.options,
  };
  const outcome = runListen(options, {
    api,
    tunnel,
    clock,
    signal: interrupt.signal,
    emit: (e) => {
      events.push(e);
      changes.notify();
    },
    onExitTimeoutMs: 5000,
    // listen records its endpoints in the state folder: a temporary one, never the real home's.
    env: { ...process.env, XDG_STATE_HOME: tempDir("certwh-state-") },
    ...init.deps,
  }).then(
    (result) => ({ result }),
    (error: unknown) => ({ error }),
  );
  const session: Session = {
    sandbox,
    api,
    tunnel,
    events,
    journalPath,
    outcome,
    interrupt(signal = "SIGINT") {
      interrupt.abort(new InterruptedError(signal, `Interrupted by ${signal}.`));
    },
    waitFor<T extends ListenEvent>(predicate: (e: ListenEvent) => boolean, timeoutMs = 8000) {
      return changes.until(
        () => events.find(predicate) as T | undefined,
        timeoutMs,
        () => new Error(`no matching listen event; saw: ${events.map(describe).join(", ")}`),
      );
    },
    ready() {
      return session.waitFor((e) => e.type === "ready");
    },
    changes() {
      return sandbox.requests.filter((r) => r.method !== "GET").map((r) => r.route ?? r.path);
    },
  };
  // Never leave a session running: interrupt it and wait for its shutdown, then stop the (strict) sandbox.
  t.after(async () => {
    session.interrupt();
    await outcome;
    if (init.sandboxInstance) return;
    await sandbox.stop();
    assert.deepEqual(
      sandbox.unknownRoutes().map((r) => `${r.method} ${r.path}`),
      [],
      "unknown routes",
    );
    assert.deepEqual(sandbox.pendingFaults(), [], "injected faults never used");
  });
  return session;
}

export function describe(e: ListenEvent): string {
  return e.type === "state" ? `state:${e.stage}` : e.type;
}

/** An account whose webhook is ACTIVE and points at `receiver` (someone's production endpoint). */
export async function activeWebhookAt(sandbox: Sandbox, receiver: Receiver, secret: string): Promise<number> {
  const created = await call(sandbox, "POST", "/webhook", {
    endpoint: receiver.url,
    secret,
    events: ["certificate_issued", "certificate_revoked"],
  });
  assert.equal(created.status, 201, created.text);
  const id = (created.json as { webhook_id: number }).webhook_id;
  const before = receiver.received.length;
  assert.equal((await call(sandbox, "PUT", `/webhook/${id}/send-challenge`)).status, 204);
  const [challenge] = (await receiver.waitFor(before + 1)).slice(before);
  assert.ok(challenge, "the challenge reached the endpoint");
  const token = (challenge.json as { data: { token: string } }).data.token;
  assert.equal((await call(sandbox, "PUT", `/webhook/${id}/check-challenge`, { token })).status, 204);
  assert.equal((await call(sandbox, "PUT", `/webhook/${id}/activate`)).status, 204);
  return id;
}
