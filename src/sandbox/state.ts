// The account's single webhook and its state machine (spec §14.3), challenge tokens (§17 #17) and the
// event log (§11, §17 #24). The store is synchronous and network-free: engine.ts does the probing and
// delivering.
//
// --state-file: the webhook (with its hidden state), the next id and the event log survive restarts.
// Written atomically (temporary file + rename) with mode 0600, since it holds the webhook secret.
// Read through readBounded: at most STATE_LIMIT_BYTES (/dev/zero is an error, not gigabytes of memory), and a
// FIFO with nothing to read waits only until the signal stops it.

import { randomBytes, randomInt } from "node:crypto";
import { constants, renameSync, writeFileSync } from "node:fs";
import { access } from "node:fs/promises";
import { dirname } from "node:path";
import { FileError } from "../errors.js";
import type { Clock } from "../util/clock.js";
import { type FileRole, fileError } from "../util/fs-error.js";
import { jsonSyntaxReason } from "../util/json-error.js";
import { pushBounded } from "../util/keep-newest.js";
import { printable } from "../util/printable.js";
import { readBounded } from "../util/read-bounded.js";
import { sameSecret } from "../util/same-secret.js";
import { SandboxHttpError } from "./envelope.js";
import type { QuirkSet } from "./quirks.js";
import { stateProblem } from "./state-check.js";
import type { ChallengeToken, EventLogRecord, SandboxWebhook } from "./types.js";
import { DEFAULT_EVENTS, DEFAULT_SETTINGS, type WebhookInput, withDefaultSettings } from "./validate.js";

export const TOKEN_TTL_MS = 30 * 60 * 1000;

/**
 * The newest event-log records kept. Every change rewrites the state file, so an unbounded log made each
 * delivery slower than the last and, past the file limit below, a state file the sandbox could not load.
 */
export const MAX_LOG_RECORDS = 5000;

/** Everything the state file keeps. */
export interface StoreData {
  nextId: number;
  webhook: SandboxWebhook | null;
  logs: EventLogRecord[];
}

export class WebhookStore {
  private data: StoreData;

  constructor(
    private readonly clock: Clock,
    private readonly quirks: QuirkSet,
    initial?: StoreData,
    /** Called after every change (the state file writer). */
    private readonly onChange: (data: StoreData) => void = () => undefined,
  ) {
    this.data = initial ?? { nextId: 12345, webhook: null, logs: [] };
  }

  current(): SandboxWebhook | null {
    return this.data.webhook;
  }

  /** The webhook with this id, else 404 not_found|webhook. */
  require(id: number): SandboxWebhook {
    const hook = this.data.webhook;
    if (!hook || hook.id !== id) throw new SandboxHttpError(404, "not_found|webhook");
    return hook;
  }

  /** The account's webhook, else 400 webhook_invalid_account (list, ID-less event logs). */
  requireAny(): SandboxWebhook {
    if (!this.data.webhook) throw new SandboxHttpError(400, "webhook_invalid_account");
    return this.data.webhook;
  }

  assertNone(): void {
    if (this.data.webhook) throw new SandboxHttpError(400, "webhook_configured_already");
  }

  create(input: WebhookInput): SandboxWebhook {
    this.assertNone();
    const hook: SandboxWebhook = {
      id: this.data.nextId++,
      endpoint: input.endpoint,
      events: input.events ?? [...DEFAULT_EVENTS],
      status: "pending",
      webhook_settings: { ...DEFAULT_SETTINGS, ...input.settings },
      verified: false,
      tokens: [],
    };
    if (this.quirks.has("frequency-no-0") && input.settings.webhook_notification_frequency === undefined) {
      hook.webhook_settings.webhook_notification_frequency = [90, 60, 30, 7, -7];
    }
    if (input.secret) hook.secret = input.secret;
    this.data.webhook = hook;
    this.data.logs = [];
    this.changed();
    return hook;
  }

  update(id: number, input: WebhookInput): void {
    const hook = this.require(id);
    if (input.endpoint !== hook.endpoint) {
      // A new endpoint must be verified and activated again; no events until then (spec §17 #13),
      // unless update-stays-active: then status and verification are kept and events go to the new URL.
      hook.endpoint = input.endpoint;
      if (!this.quirks.has("update-stays-active")) {
        hook.status = "pending";
        hook.verified = false;
      }
      hook.tokens = [];
      hook.tested = false;
    }
    const secret = input.secret === undefined ? hook.secret : input.secret || undefined;
    if (secret !== hook.secret) hook.previousSecret = hook.secret ?? null;
    if (secret === undefined) delete hook.secret;
    else hook.secret = secret;
    if (input.events) hook.events = input.events;
    hook.webhook_settings = { ...hook.webhook_settings, ...input.settings };
    this.changed();
  }

  /** A new challenge token: 32 URL-safe characters, or 9 decimal digits (numeric-token). */
  issueToken(id: number, numeric = false): ChallengeToken {
    const hook = this.require(id);
    const now = this.clock.now();
    const token = {
      value: numeric ? String(randomInt(100_000_000, 1_000_000_000)) : randomBytes(24).toString("base64url"),
      issuedAt: now,
      expiresAt: now + TOKEN_TTL_MS,
    };
    const kept = this.quirks.has("older-tokens") ? hook.tokens.filter((t) => t.expiresAt > now) : [];
    hook.tokens = [...kept, token];
    this.changed();
    return token;
  }

  /**
   * check-challenge: the token must be the latest unexpired one (or any, with older-tokens). A JSON
   * number counts as its decimal string (numeric-token challenges carry numbers).
   */
  checkToken(id: number, input: unknown): void {
    const hook = this.require(id);
    const now = this.clock.now();
    hook.tokens = hook.tokens.filter((t) => t.expiresAt > now);
    const candidates = this.quirks.has("older-tokens") ? hook.tokens : hook.tokens.slice(-1);
    const token = typeof input === "number" && Number.isSafeInteger(input) ? String(input) : input;
    const match =
      typeof token === "string" && token !== "" && candidates.find((t) => sameSecret(t.value, token));
    if (!match) {
      this.changed();
      throw new SandboxHttpError(400, "webhook_invalid_token");
    }
    hook.tokens = hook.tokens.filter((t) => t !== match);
    hook.verified = true;
    this.changed();
  }

  activate(id: number): void {
    const hook = this.require(id);
    const active = hook.status === "active";
    const untested = this.quirks.has("test-required") && !hook.tested && !active;
    if (!hook.verified || untested || (active && this.quirks.has("activate-active-400")))
      throw new SandboxHttpError(400, "webhook_invalid_action");
    if (hook.status !== "active") {
      hook.status = "active";
      this.changed();
    }
  }

  deactivate(id: number): void {
    const hook = this.require(id);
    if (hook.status === "pending" && !this.quirks.has("deactivate-pending-204")) {
      throw new SandboxHttpError(400, "webhook_invalid_action");
    }
    if (hook.status === "active") {
      hook.status = "inactive";
      this.changed();
    }
  }

  /** A test event to the current endpoint succeeded (test-required). */
  markTested(id: number): void {
    const hook = this.require(id);
    if (!hook.tested) {
      hook.tested = true;
      this.changed();
    }
  }

  remove(id: number): void {
    this.require(id);
    this.data.webhook = null;
    this.data.logs = [];
    this.changed();
  }

  log(entry: EventLogRecord): void {
    pushBounded(this.data.logs, entry, MAX_LOG_RECORDS);
    this.changed();
  }

  logs(): readonly EventLogRecord[] {
    return this.data.logs;
  }

  private changed(): void {
    this.onChange(this.data);
  }
}

/** The webhook as GET /webhook shows it: documented fields only (spec §5.2). */
export function publicView(hook: SandboxWebhook): Record<string, unknown> {
  const view: Record<string, unknown> = { id: hook.id, endpoint: hook.endpoint };
  if (hook.secret) view.secret = hook.secret;
  view.events = [...hook.events];
  view.status = hook.status;
  view.webhook_settings = structuredClone(hook.webhook_settings);
  return view;
}

/** The most certwh reads of a state file (a webhook and its event log: usually kilobytes). */
const STATE_LIMIT_BYTES = 64 * 1024 * 1024;

const ROLE: Omit<FileRole, "action"> = {
  what: "the sandbox state file (--state-file)",
  instead: "choose another --state-file",
};

export async function loadState(path: string, signal?: AbortSignal): Promise<StoreData | undefined> {
  const text = await readBounded(path, {
    limitBytes: STATE_LIMIT_BYTES,
    role: ROLE,
    signal,
    missingOk: true,
  });
  // Every change is saved next to the file, then renamed over it: its folder must take new files.
  await access(dirname(path), constants.W_OK).catch((err: unknown) => {
    throw fileError(err, path, { ...ROLE, action: "write" });
  });
  if (text === undefined) return undefined;
  const unusable = (why: string) =>
    new FileError(`Cannot use ${ROLE.what} ${printable(path)}: ${why}.`, path, "EINVAL", {
      hint: `Fix or remove it, or ${ROLE.instead}.`,
    });
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    // The file holds the webhook secret: the reason must not quote it.
    throw unusable(`it is not valid JSON (${jsonSyntaxReason(err)})`);
  }
  const problem = stateProblem(data);
  if (problem) throw unusable(`it is not a certwh sandbox state file (${problem})`);
  const state = data as StoreData;
  if (state.webhook) state.webhook.webhook_settings = withDefaultSettings(state.webhook.webhook_settings);
  return state;
}

export function saveState(path: string, data: StoreData): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(data, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, path);
}
