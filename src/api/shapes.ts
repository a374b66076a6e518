// The one place where a JSON answer from CertCentral (or the sandbox's admin routes) becomes a typed value.
// Each reader checks one route's answer against the shape spec §4–§11 documents and returns a fresh object
// holding only the fields certwh knows; anything else is a typed ApiShapeError naming the route and the
// field's path (`webhooks[0].events[1]`), never the value found there (a value may be a webhook secret).
//
// Liberal where DigiCert's pages are silent or disagree (spec §17): unknown extra fields are ignored;
// `null` counts as absent for optional fields; ids and counts may come as decimal strings; setting flags may
// be "1"/"0", 1/0 or true/false (returned as "1"/"0", the form CertCentral takes); `webhook_settings` may sit
// in the webhook object (the list example) or at the top level of the list answer (the list's field table).
// Every loop runs over an array already parsed from a body of bounded size.

import { isObject } from "../util/is-object.js";
import { ApiShapeError } from "./errors.js";
import {
  type EventLogEntry,
  type EventLogPage,
  FLAG_SETTINGS,
  type Webhook,
  type WebhookSettings,
} from "./types.js";

/** Which answer is being read: the route for the message, and the HTTP status it came with. */
export interface AnswerOf {
  method: string;
  path: string;
  status: number;
}

type Obj = Record<string, unknown>;

const absent = (v: unknown): v is null | undefined => v === undefined || v === null;

/** `parent.key`, or `key` at the root. */
const child = (parent: string, key: string): string => (parent === "" ? key : `${parent}.${key}`);

function fail(at: AnswerOf, field: string, expected: string): never {
  throw new ApiShapeError({ ...at, field, expected });
}

function object(at: AnswerOf, v: unknown, field: string): Obj {
  return isObject(v) ? v : fail(at, field, "a JSON object");
}

function list(at: AnswerOf, v: unknown, field: string): unknown[] {
  return Array.isArray(v) ? v : fail(at, field, "a list");
}

function string(at: AnswerOf, v: unknown, field: string): string {
  return typeof v === "string" ? v : fail(at, field, "a string");
}

function optionalString(at: AnswerOf, v: unknown, field: string): string | undefined {
  return absent(v) ? undefined : string(at, v, field);
}

function strings(at: AnswerOf, v: unknown, field: string): string[] {
  return list(at, v, field).map((item, i) => string(at, item, `${field}[${i}]`));
}

/** An integer as a JSON number or a decimal string ("42", "-7"), within ±2^53−1; else undefined. */
function integer(v: unknown): number | undefined {
  const n = typeof v === "string" && /^-?\d{1,16}$/.test(v.trim()) ? Number(v.trim()) : v;
  return typeof n === "number" && Number.isSafeInteger(n) ? n : undefined;
}

const ID = "a positive whole number (at most 2^53-1), as a number or a decimal string";
const COUNT = "a whole number of at least 0 (at most 2^53-1)";

function id(at: AnswerOf, v: unknown, field: string): number {
  const n = integer(v);
  return n !== undefined && n > 0 ? n : fail(at, field, ID);
}

function count(at: AnswerOf, v: unknown, field: string): number {
  const n = integer(v);
  return n !== undefined && n >= 0 ? n : fail(at, field, COUNT);
}

const ON = new Set<unknown>(["1", 1, true, "true"]);
const OFF = new Set<unknown>(["0", 0, false, "false"]);

/** `webhook_settings` when present: flags as "1"/"0" whatever form they came in, the frequency as numbers. */
function settings(at: AnswerOf, v: unknown, field: string): WebhookSettings | undefined {
  if (absent(v)) return undefined;
  const raw = object(at, v, field);
  const out: WebhookSettings = {};
  for (const key of FLAG_SETTINGS) {
    const value = raw[key];
    if (absent(value)) continue;
    if (ON.has(value)) out[key] = "1";
    else if (OFF.has(value)) out[key] = "0";
    else fail(at, child(field, key), 'a flag ("1"/"0", 1/0 or true/false)');
  }
  const frequency = raw.webhook_notification_frequency;
  if (!absent(frequency)) {
    const name = child(field, "webhook_notification_frequency");
    out.webhook_notification_frequency = list(at, frequency, name).map((day, i) => {
      const n = integer(day);
      return n !== undefined ? n : fail(at, `${name}[${i}]`, "a whole number of days");
    });
  }
  return out;
}

function webhook(at: AnswerOf, v: unknown, field: string, topSettings: WebhookSettings | undefined): Webhook {
  const raw = object(at, v, field);
  const out: Webhook = {
    id: id(at, raw.id, child(field, "id")),
    endpoint: string(at, raw.endpoint, child(field, "endpoint")),
    status: string(at, raw.status, child(field, "status")),
    // Documented as always present; an answer without it says nothing about the subscription (null), which
    // must not become "subscribed to nothing" in an update that copies the list.
    events: absent(raw.events) ? null : strings(at, raw.events, child(field, "events")),
  };
  const secret = optionalString(at, raw.secret, child(field, "secret"));
  if (secret !== undefined) out.secret = secret;
  const merged = settings(at, raw.webhook_settings, child(field, "webhook_settings")) ?? topSettings;
  if (merged !== undefined) out.webhook_settings = merged;
  return out;
}

/**
 * GET /webhook (spec §5.2): `{"webhooks": [...]}`, each webhook checked. `webhook_settings` is read from the
 * webhook object, else from the top level of the answer (where the list page's field table puts it).
 */
export function readWebhookList(data: unknown, at: AnswerOf): Webhook[] {
  const body = object(at, data, "");
  const top = settings(at, body.webhook_settings, "webhook_settings");
  return list(at, body.webhooks, "webhooks").map((item, i) => webhook(at, item, `webhooks[${i}]`, top));
}

/** POST /webhook (spec §4.4): `{"webhook_id": 1234}`; `{"id": 1234}` is read the same way. */
export function readCreated(data: unknown, at: AnswerOf): number {
  const body = object(at, data, "");
  if (absent(body.webhook_id) && !absent(body.id)) return id(at, body.id, "id");
  return id(at, body.webhook_id, "webhook_id");
}

function logEntry(at: AnswerOf, v: unknown, field: string): EventLogEntry {
  const raw = object(at, v, field);
  const out: EventLogEntry = {
    event_name: string(at, raw.event_name, child(field, "event_name")),
    request_status: string(at, raw.request_status, child(field, "request_status")),
    request_sent_time: string(at, raw.request_sent_time, child(field, "request_sent_time")),
  };
  if (!absent(raw.event_info)) out.event_info = object(at, raw.event_info, child(field, "event_info"));
  const received = optionalString(at, raw.response_received_time, child(field, "response_received_time"));
  if (received !== undefined) out.response_received_time = received;
  if (!absent(raw.response_code)) {
    const code = integer(raw.response_code);
    out.response_code =
      code !== undefined && code >= 0 ? code : fail(at, child(field, "response_code"), "an HTTP status code");
  }
  return out;
}

/**
 * GET /webhook/{id}/event-logs (spec §11.2): `events` and `page`. A missing `page` (or member of it) is
 * filled in from what was asked for and what came back.
 */
export function readEventLogPage(
  data: unknown,
  at: AnswerOf,
  asked: { limit: number; offset: number },
): EventLogPage {
  const body = object(at, data, "");
  const events = list(at, body.events, "events").map((item, i) => logEntry(at, item, `events[${i}]`));
  const page = absent(body.page) ? {} : object(at, body.page, "page");
  const member = (key: "total" | "limit" | "offset", fallback: number) =>
    absent(page[key]) ? fallback : count(at, page[key], `page.${key}`);
  const offset = member("offset", asked.offset);
  return {
    events,
    page: { total: member("total", offset + events.length), limit: member("limit", asked.limit), offset },
  };
}

/** POST /sandbox/v1/emit's answer (src/sandbox/admin.ts). */
export interface EmitAnswer {
  delivered: boolean;
  /** Why nothing was sent (no_webhook, not_active, not_subscribed); absent from older sandboxes. */
  code?: string;
  reason?: string;
  delivery?: {
    url: string;
    status: number | null;
    ok: boolean;
    error?: string;
    kind: string;
    duration_ms?: number;
  };
  /** certificate_issued only: whether the sandbox put certificate_chain in the body. */
  certificate_chain?: boolean;
}

function boolean(at: AnswerOf, v: unknown, field: string): boolean {
  return typeof v === "boolean" ? v : fail(at, field, "true or false");
}

function optionalBoolean(at: AnswerOf, v: unknown, field: string): boolean | undefined {
  return absent(v) ? undefined : boolean(at, v, field);
}

/** The sandbox's emit answer: `delivered`, and the `delivery` when it was sent. */
export function readEmitAnswer(data: unknown, at: AnswerOf): EmitAnswer {
  const body = object(at, data, "");
  const delivered = boolean(at, body.delivered, "delivered");
  const out: EmitAnswer = { delivered };
  const reason = optionalString(at, body.reason, "reason");
  if (reason !== undefined || !delivered) out.reason = reason ?? "the sandbox gave no reason";
  const code = optionalString(at, body.code, "code");
  if (code !== undefined) out.code = code;
  const chain = optionalBoolean(at, body.certificate_chain, "certificate_chain");
  if (chain !== undefined) out.certificate_chain = chain;
  if (absent(body.delivery)) {
    if (delivered) fail(at, "delivery", "a JSON object when delivered is true");
    return out;
  }
  const d = object(at, body.delivery, "delivery");
  const status = absent(d.status) ? null : integer(d.status);
  if (status === undefined) fail(at, "delivery.status", "an HTTP status code or null");
  out.delivery = {
    url: string(at, d.url, "delivery.url"),
    status,
    ok: boolean(at, d.ok, "delivery.ok"),
    kind: string(at, d.kind, "delivery.kind"),
  };
  const error = optionalString(at, d.error, "delivery.error");
  if (error !== undefined) out.delivery.error = error;
  if (!absent(d.duration_ms)) {
    const ms = d.duration_ms;
    out.delivery.duration_ms =
      typeof ms === "number" && Number.isFinite(ms) && ms >= 0
        ? ms
        : fail(at, "delivery.duration_ms", "a number of milliseconds");
  }
  return out;
}
