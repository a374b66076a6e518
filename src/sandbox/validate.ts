// Request-body rules of create, update and test-endpoint (spec §4.3, §6.2, §7.2, §17 #6–#8, #12).

import { isDeepStrictEqual } from "node:util";
import { FLAG_SETTINGS, type WebhookSettings } from "../api/types.js";
import { NOTIFICATION_FREQUENCIES } from "../events/catalogue.js";
// The loopback rule is util/loopback.ts, shared with the CLI: util is common ground, and the sandbox stays
// independent of the API client, which is what matters (architecture §2).
import { isLoopbackHost } from "../util/loopback.js";
// The CLI's own secret rule: the sandbox refuses exactly what certwh refuses before sending.
import { validateSecret } from "../util/secret.js";
import { SandboxHttpError } from "./envelope.js";

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

/** A webhook_settings value CertCentral documents no meaning for (invented code, like webhook_invalid_secret). */
function badSetting(message: string): SandboxHttpError {
  return new SandboxHttpError(400, "webhook_invalid_settings", message);
}

/**
 * The body as an object. JSON that is not an object is still valid JSON (bad_request_format is only for a
 * body that does not parse, spec §3.2), so it gets the code of what it lacks: `code`, e.g.
 * webhook_invalid_endpoint (create, update, test: no endpoint) or webhook_invalid_token (check-challenge).
 */
export function asObject(body: unknown, code: string, lacks: string): Record<string, unknown> {
  if (body === undefined) return {};
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new SandboxHttpError(400, code, `The request body must be a JSON object with ${lacks}.`);
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

/**
 * A secret certwh's own rule accepts (validateSecret: at least 32 printable ASCII characters, no whitespace
 * or control characters), which is also what can travel in X-WEBHOOK-KEY; "" is returned as is when
 * `allowEmpty` (update: remove it). Anything else is 400 webhook_invalid_secret (invented, spec §17 #12).
 */
export function parseSecret(value: unknown, allowEmpty: boolean): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (value === "" && allowEmpty) return "";
  if (typeof value !== "string") {
    throw new SandboxHttpError(400, "webhook_invalid_secret", "The webhook secret must be a string.");
  }
  const problem = validateSecret(value);
  if (problem) throw new SandboxHttpError(400, "webhook_invalid_secret", problem);
  return value;
}

/** Event names: repeats dropped; an empty name, or a list that is not of strings, is 400 (invented code). */
export function parseEvents(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((e) => typeof e === "string")) {
    throw new SandboxHttpError(400, "webhook_invalid_events", "events must be an array of event names.");
  }
  if (value.some((e) => e.trim() === "")) {
    throw new SandboxHttpError(400, "webhook_invalid_events", "events must not contain an empty name.");
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
 * Only the documented days (spec §4.3, §12.4) are stored, in the order given, each once (a repeat is
 * dropped, as for events: a day cannot fire twice). CertCentral documents the allowed members but no
 * error for others; the sandbox refuses them rather than store a setting that could never fire (an empty
 * list is accepted: no reminders).
 */
export function parseFrequency(value: unknown): number[] {
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
  return [...new Set(value as number[])];
}

function parseSettings(value: unknown): WebhookSettings {
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value))
    throw badSetting("webhook_settings must be an object.");
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
  const obj = asObject(body, "webhook_invalid_endpoint", "an endpoint");
  const endpoint = requireEndpoint(obj.endpoint);
  const secret = parseSecret(
    obj.secret === "" && mode === "create" ? undefined : obj.secret,
    mode === "update",
  );
  return { endpoint, secret, events: parseEvents(obj.events), settings: parseSettings(obj.webhook_settings) };
}

/**
 * Why stored webhook fields (from a state file) could not have come from the API, or undefined: the
 * endpoint, the secrets, the events and every setting are checked by the same rules as a request.
 */
export function storedWebhookProblem(hook: Record<string, unknown>): string | undefined {
  const refused = (check: () => unknown) => {
    try {
      check();
      return false;
    } catch (err) {
      if (err instanceof SandboxHttpError) return true;
      throw err;
    }
  };
  // A stored list is what the API would store for it: the parse of it, unchanged (no repeat, no empty name).
  const storedAs = (value: unknown, parse: (v: unknown) => unknown) => {
    try {
      return isDeepStrictEqual(parse(value), value);
    } catch (err) {
      if (err instanceof SandboxHttpError) return false;
      throw err;
    }
  };
  if (refused(() => requireEndpoint(hook.endpoint)))
    return "webhook.endpoint is not an endpoint the API accepts";
  if (hook.secret !== undefined && refused(() => parseSecret(hook.secret, false)))
    return "webhook.secret is not a secret the API accepts";
  const previous = hook.previousSecret;
  if (previous !== undefined && previous !== null && refused(() => parseSecret(previous, false)))
    return "webhook.previousSecret is neither null nor a secret the API accepts";
  if (!storedAs(hook.events, parseEvents))
    return "webhook.events holds an empty or repeated event name, which the API never stores";
  // A missing setting is filled with its default on load (withDefaultSettings); a present one must be stored form.
  const settings = hook.webhook_settings as Record<string, unknown>;
  const flagsOk = FLAG_SETTINGS.every(
    (key) => settings[key] === undefined || settings[key] === "1" || settings[key] === "0",
  );
  const frequency = settings.webhook_notification_frequency;
  if (!flagsOk || (frequency !== undefined && !storedAs(frequency, parseFrequency)))
    return 'webhook.webhook_settings holds a value the API never stores (flags are "1"/"0", frequency documented days, each once)';
  return undefined;
}

/** Stored settings with every key the API always stores: a missing one gets its default. */
export function withDefaultSettings(settings: Partial<Required<WebhookSettings>>): Required<WebhookSettings> {
  return { ...DEFAULT_SETTINGS, ...settings };
}
