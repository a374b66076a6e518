// Shapes of the CertCentral webhook API (spec §4–§11). Setting flags travel as "1"/"0" strings.

export type WebhookStatus = "pending" | "active" | "inactive";

/** The webhook_settings that are flags ("1"/"0"); the other one, the frequency, is a list of days. */
export const FLAG_SETTINGS = [
  "instant_issue_webhook_notification",
  "webhook_send_certificate_chain",
  "webhook_send_instant_issued_certificate_chain",
] as const;

export interface WebhookSettings {
  instant_issue_webhook_notification?: string;
  webhook_notification_frequency?: number[];
  webhook_send_certificate_chain?: string;
  webhook_send_instant_issued_certificate_chain?: string;
}

export interface Webhook {
  id: number;
  endpoint: string;
  /** Plain text as CertCentral returns it; absent when no secret is set. Mask before printing. */
  secret?: string;
  /**
   * The subscribed events; null when CertCentral's answer had no `events` (not reported), which is not the
   * same as subscribed to nothing: certwh never sends a list it did not read.
   */
  events: string[] | null;
  status: WebhookStatus | string;
  webhook_settings?: WebhookSettings;
}

export interface CreateWebhookRequest {
  endpoint: string;
  secret?: string;
  events?: string[];
  webhook_settings?: WebhookSettings;
}

/** PUT /webhook/{id}: the fields of a create; `endpoint` is required; `secret: ""` removes the secret. */
export type UpdateWebhookRequest = CreateWebhookRequest;

export interface EventLogEntry {
  event_name: string;
  event_info?: Record<string, unknown>;
  request_status: string;
  request_sent_time: string;
  response_received_time?: string;
  response_code?: number;
}

export interface EventLogPage {
  events: EventLogEntry[];
  page: { total: number; limit: number; offset: number };
}

export interface EventLogQuery {
  /** Entries per page, 1–1000; default (and CertCentral's maximum) 1000. Always sent. */
  limit?: number;
  /** Index of the first entry; default 0. Always sent. */
  offset?: number;
  filters?: Record<string, string>;
  /**
   * CertCentral's `sort` parameter (spec §2.2, which §11.1 says the event log supports): property names,
   * comma-separated, a `-` prefix sorting descending, e.g. "-request_sent_time". The sortable properties are
   * not documented; sent only when given.
   */
  sort?: string;
}

export interface CallOptions {
  signal?: AbortSignal;
}

/**
 * One typed function per endpoint of the spec. Implemented by src/api/webhooks.ts over src/api/client.ts.
 * Retry rules (reliability-checklist items 13–16) are the implementation's: reads, activate and deactivate
 * are retried; create, update, send-challenge and check-challenge are never repeated.
 */
export interface WebhookApi {
  /**
   * GET /webhook → webhooks[0], or null when CertCentral answers 400 webhook_invalid_account. More than one
   * webhook in the answer is told once through onNotice.
   */
  getWebhook(opts?: CallOptions): Promise<Webhook | null>;
  /** POST /webhook → the new id. Never retried; after an ambiguous failure it lists and reconciles. */
  createWebhook(body: CreateWebhookRequest, opts?: CallOptions): Promise<number>;
  updateWebhook(id: number, body: UpdateWebhookRequest, opts?: CallOptions): Promise<void>;
  testEndpoint(body: { endpoint: string; secret?: string }, opts?: CallOptions): Promise<void>;
  sendChallenge(id: number, opts?: CallOptions): Promise<void>;
  checkChallenge(id: number, token: string, opts?: CallOptions): Promise<void>;
  activate(id: number, opts?: CallOptions): Promise<void>;
  deactivate(id: number, opts?: CallOptions): Promise<void>;
  deleteWebhook(id: number, opts?: CallOptions): Promise<void>;
  eventLogs(id: number, query?: EventLogQuery, opts?: CallOptions): Promise<EventLogPage>;
}

export interface ApiClientOptions {
  /** e.g. https://www.digicert.com/services/v2 (no trailing slash needed). */
  baseUrl: string;
  apiKey: string;
  /** Per-request timeout. */
  timeoutMs: number;
  userAgent: string;
  /** Injected for tests (backoff without waiting). */
  clock?: import("../util/clock.js").Clock;
  /** An undici Dispatcher (tests pass a MockAgent). */
  dispatcher?: unknown;
  /** --verbose trace lines, already redacted. */
  trace?: (line: string) => void;
  /** Told before each retry wait ("rate limited, retrying in 2s"). */
  onRetry?: (info: { attempt: number; delayMs: number; reason: string }) => void;
  /**
   * Told when an ambiguous create/update turned out, on reading the account back, to have been applied, and
   * when GET /webhook answered with more than one webhook.
   */
  onNotice?: (text: string) => void;
  /** Attempts for retryable calls (default 3). */
  maxAttempts?: number;
}
