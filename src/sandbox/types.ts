// Public shapes of the sandbox (the embedded CertCentral emulator). Other modules and tests code
// against these names; keep them stable.

import type { EventLogEntry, WebhookSettings, WebhookStatus } from "../api/types.js";
import type { Clock } from "../util/clock.js";
import type { SandboxQuirk } from "./quirks.js";

export interface RateLimitOptions {
  /** Requests allowed per window and key (default 100). */
  burst?: number;
  /** Rolling window in ms (default 5000). */
  windowMs?: number;
  /** Also apply the long window: 1000 requests per 3 minutes (spec §17 #9, the stricter reading). */
  longWindow?: boolean;
}

export interface ProbeOptions {
  create?: boolean;
  update?: boolean;
  test?: boolean;
  /** How long the endpoint has to answer 2xx (default 10 s). */
  timeoutMs?: number;
}

export interface SandboxOptions {
  port?: number;
  host?: string;
  apiKey?: string;
  clock?: Clock;
  rateLimit?: boolean | RateLimitOptions;
  /** Behaviours of the other reading of spec §17 (SANDBOX_QUIRKS); changeable later with setQuirks. */
  quirks?: readonly SandboxQuirk[];
  /** false: same as the no-delete-404 quirk. */
  deleteExtension?: boolean;
  probe?: ProbeOptions;
  /** true: same as the older-tokens quirk. */
  acceptOlderTokens?: boolean;
  deliveryTimeoutMs?: number;
  permission?: "ok" | "forbidden";
  slackHost?: string;
  stateFile?: string;
  /** Stops reading the state file (a FIFO with nothing to read); the start then rejects with its reason. */
  signal?: AbortSignal;
  /** Told about every API request once handled (certwh sandbox prints these). */
  onRequest?: (request: RecordedRequest) => void;
  /** Told about every finished delivery. */
  onDelivery?: (delivery: Delivery) => void;
  /**
   * Told when the state file cannot be written (a sentence naming it and the cause), and again once it can:
   * the change is kept in memory and the API call succeeds, as it would at CertCentral.
   */
  onStateFile?: (problem: { ok: boolean; message: string }) => void;
}

export interface ChallengeToken {
  value: string;
  /** Epoch ms on the sandbox clock. */
  issuedAt: number;
  expiresAt: number;
}

/** The account's webhook as the sandbox holds it, including what CertCentral never shows. */
export interface SandboxWebhook {
  id: number;
  endpoint: string;
  secret?: string;
  /** Hidden: the secret before the last change of it (null: there was none); for handshake-old-key. */
  previousSecret?: string | null;
  events: string[];
  status: WebhookStatus;
  webhook_settings: Required<WebhookSettings>;
  /** Hidden flag: check-challenge succeeded since the endpoint was last set (spec §14.3). */
  verified: boolean;
  /** Hidden: a test event to this endpoint succeeded since it was set (for test-required). */
  tested?: boolean;
  /** Unexpired, unused tokens, oldest first. Only the last is accepted unless older-tokens. */
  tokens: ChallengeToken[];
}

/** The newest API requests and deliveries a sandbox remembers (for tests and the console): memory stays bounded. */
export const MAX_RECORDED = 1000;

export interface RecordedRequest {
  method: string;
  /** Full path without the query, e.g. /services/v2/webhook/12345/activate. */
  path: string;
  /** The matched route, e.g. "PUT /webhook/:id/activate"; null for an unknown route. */
  route: string | null;
  query: Record<string, string>;
  /** Parsed JSON body; undefined when empty; the raw text when it was not JSON. */
  body: unknown;
  /** Lower-case header names only (values may be secrets). */
  headerNames: string[];
  /** Status answered; null when the connection was dropped or the sandbox stopped first. */
  status: number | null;
  /** The client went away before the answer (e.g. during a delay fault): the call was carried out all the same. */
  clientGone?: boolean;
  /** The DigiCert error code answered, if any. */
  errorCode?: string;
  /** The injected fault this request met, e.g. "status 503", "delay 3000 ms", "drop". */
  fault?: string;
  /** Epoch ms on the sandbox clock. */
  at: number;
}

export type DeliveryKind = "probe" | "test" | "challenge" | "event";

export interface Delivery {
  kind: DeliveryKind;
  /** The endpoint as registered or requested. */
  url: string;
  /** Where the POST actually went (differs for Slack URLs mapped by slackHost). */
  sentTo: string;
  event: string;
  /** The JSON body sent (for Slack endpoints, the {"text": …} message). */
  body: Record<string, unknown>;
  /** Headers sent, values included (this is a local test record, never printed by certwh). */
  headers: Record<string, string>;
  /** True when the body was a Slack message instead of the raw event. */
  slack: boolean;
  /** HTTP status the endpoint answered; undefined when no answer arrived. */
  status?: number;
  /** Network error or "timeout" when no answer arrived. */
  error?: string;
  /** The start of a non-2xx answer's body (512 bytes), exactly: escape it before it reaches a terminal. */
  response?: string;
  ok: boolean;
  /** Epoch ms on the sandbox clock. */
  sentAt: number;
  receivedAt?: number;
  /** Real milliseconds from sending to the answer (or the failure). */
  durationMs?: number;
  /** The webhook whose event log holds this delivery, if any. */
  webhookId?: number;
}

export type Fault =
  | { status: number; retryAfter?: string; body?: string }
  | { delayMs: number }
  | { drop: true }
  | { redirect: string };

export interface Sandbox {
  url: string;
  origin: string;
  apiKey: string;
  webhook(): SandboxWebhook | null;
  /** The newest MAX_RECORDED API requests, oldest first. */
  requests: RecordedRequest[];
  /** The newest MAX_RECORDED deliveries, oldest first. */
  deliveries: Delivery[];
  unknownRoutes(): RecordedRequest[];
  inject(route: string, ...faults: Fault[]): void;
  pendingFaults(): { route: string; fault: Fault }[];
  holdChallenges(hold: boolean): void;
  releaseChallenges(): Promise<void>;
  emit(event: string, data?: Record<string, unknown>): Promise<Delivery | null>;
  /** The quirks in effect. */
  quirks(): SandboxQuirk[];
  /** Replaces the quirks in effect; throws on an unknown or conflicting one (nothing changes then). */
  setQuirks(quirks: readonly SandboxQuirk[]): void;
  stop(): Promise<void>;
}

/** An entry of GET /webhook/{id}/event-logs (spec §11.2), as the sandbox writes it. */
export interface EventLogRecord extends EventLogEntry {
  request_status: "success" | "failed";
}
