// Request-body rules of create, update and test-endpoint (spec §4.3, §6.2, §7.2, §17 #6–#8, #12).

import { FLAG_SETTINGS, type WebhookSettings } from "../api/types.js";
import { NOTIFICATION_FREQUENCIES } from "../events/catalogue.js";
// The loopback rule is util/loopback.ts, shared with the CLI: util is common ground, and the sandbox stays
// independent of the API client, which is what matters (architecture §2).
import { isLoopbackHost } from "../util/loopback.js";
import { SandboxHttpError } from "./envelope.js";

const MIN_SECRET_LENGTH = 32;
export const DEFAULT_EVENTS = ["certificate_issued"];

export const DEFAULT_SETTINGS: Required<WebhookSettings> = {
  instant_issue_webhook_notification: "0",
  webhook_notification_frequency: [...NOTIFICATION_FREQUENCIES],
  webhook_send_certificate_chain: "0",
  webhook_send_instant_issued_certificate_chain: "0",
};

export interface WebhookInput {
  endpoint: string;
  /** undefined: not given; "": remove (update only). */
  secret?: string;
  events?: string[];
  settings: WebhookSettings;
}

function badFormat(message: string): SandboxHttpError {
  return new SandboxHttpError(400, "bad_request_format", message);
}

/** A webhook_settings value CertCentral documents no meaning for (invented code, like webhook_invalid_secret). */
function badSetting(message: string): SandboxHttpError {
  return new SandboxHttpError(400, "webhook_invalid_settings", message);
}

export function asObject(body: unknown): Record<string, unknown> {
  if (body === undefined) return {};
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw badFormat("The request body must be a JSON object.");
  }
  return body as Record<string, unknown>;
}

/**
 * Endpoint URLs the sandbox accepts: https:// as in CertCentral, plus http:// on loopback (sandbox only, so
 * tests and the quick start need no certificate); anything else is 400 webhook_invalid_endpoint.
 */
export function requireEndpoint(value: unknown): string {
  const url = typeof value === "string" && value.trim() === value ? URL.parse(value) : null;
  const scheme = url?.protocol === "https:" || (url?.protocol === "http:" && isLoopbackHost(url.hostname));
  if (!url?.hostname || url.username || url.password || !scheme) {
    throw new SandboxHttpError(400, "webhook_invalid_endpoint");
  }
  return value as string;
}

/** A secret of at least 32 characters; "" is returned as is when `allowEmpty` (update: remove it). */
export function parseSecret(value: unknown, allowEmpty: boolean): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (value === "" && allowEmpty) return "";
  if (typeof value !== "string" || value.length < MIN_SECRET_LENGTH) {
    throw new SandboxHttpError(400, "webhook_invalid_secret");
  }
  return value;
}

function parseEvents(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((e) => typeof e === "string")) {
    throw badFormat("events must be an array of event names.");
  }
  // Unknown names are stored as given, for forward compatibility (spec §12.2).
  return [...new Set(value as string[])];
}

/** "1"/"0", 1/0 and true/false are all accepted; stored as "1"/"0" (spec §17 #8). */
function parseFlag(key: string, value: unknown): string {
  if (value === "1" || value === 1 || value === true) return "1";
  if (value === "0" || value === 0 || value === false) return "0";
  throw badSetting(`webhook_settings.${key} must be "1" or "0".`);
}

/**
 * Only the documented days (spec §4.3, §12.4) are stored, in the order given. CertCentral documents the
 * allowed members but no error for others; the sandbox refuses them rather than store a setting that
 * could never fire (an empty list is accepted: no reminders).
 */
function parseFrequency(value: unknown): number[] {
  const allowed = NOTIFICATION_FREQUENCIES.join(", ");
  if (!Array.isArray(value) || !value.every((n) => typeof n === "number" && Number.isInteger(n))) {
    throw badSetting(
      `webhook_settings.webhook_notification_frequency must be an array of days from: ${allowed}.`,
    );
  }
  const bad = value.find((n) => !NOTIFICATION_FREQUENCIES.includes(n));
  if (bad !== undefined) {
    throw badSetting(
      `webhook_settings.webhook_notification_frequency: ${bad} is not allowed; use days from: ${allowed}.`,
    );
  }
  return [...(value as number[])];
}

function parseSettings(value: unknown): WebhookSettings {
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value))
    throw badFormat("webhook_settings must be an object.");
  const raw = value as Record<string, unknown>;
  const out: WebhookSettings = {};
  for (const key of FLAG_SETTINGS) {
    if (raw[key] !== undefined) out[key] = parseFlag(key, raw[key]);
  }
  const freq = raw.webhook_notification_frequency;
  if (freq !== undefined) out.webhook_notification_frequency = parseFrequency(freq);
  return out;
}

export function parseWebhookInput(body: unknown, mode: "create" | "update"): WebhookInput {
  const obj = asObject(body);
  const endpoint = requireEndpoint(obj.endpoint);
  const secret = parseSecret(
    obj.secret === "" && mode === "create" ? undefined : obj.secret,
    mode === "update",
  );
  return { endpoint, secret, events: parseEvents(obj.events), settings: parseSettings(obj.webhook_settings) };
}
