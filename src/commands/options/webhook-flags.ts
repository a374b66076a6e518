// Parsing and validation of the flags create, update-url and test share: --url, --event/--events,
// the secret sources, and the webhook settings. Everything here runs before the first API call, so a
// bad value is a UsageError (exit 2) and no request is ever sent for it.

import { registerEndpointSecret } from "../../api/endpoint-secret.js";
import type { WebhookSettings } from "../../api/types.js";
import { UsageError } from "../../errors.js";
import { NOTIFICATION_FREQUENCIES, SUBSCRIBABLE_EVENTS } from "../../events/catalogue.js";
import { isLoopbackHost } from "../../util/loopback.js";
import { maskUrlPassword } from "../../util/redact.js";
import { checkSecretEnvName } from "../../util/secret.js";
import { urlSchemeError } from "../../util/url-scheme.js";
import { parseWaitOption } from "../../verification/wait-active.js";
import type { UpdateUrlFlags } from "../specs/lifecycle.js";

/**
 * The webhook flags as their declarations type them: update-url declares them all, create and listen a
 * subset (chain and instant are true, false with --no-…, or undefined when neither was given).
 */
export type WebhookFlagValues = Partial<UpdateUrlFlags>;

/** Where the webhook secret comes from. It is read later (resolveSecret), never from argv. */
export type SecretSource =
  | { kind: "none" }
  | { kind: "file"; path: string }
  | { kind: "env"; name: string }
  | { kind: "generate"; outFile?: string }
  | { kind: "remove" };

export interface UrlPolicy {
  /** Accept plain http:// on loopback: only when the API base URL is itself on loopback (a sandbox). */
  allowLoopbackHttp: boolean;
}

/** Validate an endpoint URL for --url. Returns it unchanged (CertCentral stores it as given). */
export function parseEndpointUrl(value: string | undefined, policy: UrlPolicy): string {
  const text = value?.trim() ?? "";
  if (!text) throw new UsageError("--url is required, e.g. --url https://hooks.example.com/certcentral.");
  // Before parsing: "localhost:3000" parses, as the scheme "localhost:", and "http:/x" as http://x/. Plain
  // http:// only where it is accepted.
  const unwritten = urlSchemeError(
    "--url",
    text,
    (host) => policy.allowLoopbackHttp && isLoopbackHost(host),
    "https://hooks.example.com/certcentral",
  );
  if (unwritten) throw unwritten;
  if (!URL.canParse(text)) {
    throw new UsageError(`--url is not a valid URL: ${maskUrlPassword(text)}`, {
      hint: "Give a full URL with its path, e.g. https://hooks.example.com/certcentral.",
    });
  }
  const url = new URL(text);
  if (url.username || url.password) throw new UsageError("--url must not contain a user name or password.");
  if (url.hash) throw new UsageError("--url must not contain a #fragment.");
  if (url.protocol === "http:" && isLoopbackHost(url.hostname)) {
    if (policy.allowLoopbackHttp) return text;
    throw new UsageError("--url must start with https://: CertCentral only delivers to HTTPS endpoints.", {
      hint: "Plain http:// on 127.0.0.1 works only against a local sandbox (CERTWH_BASE_URL on loopback).",
    });
  }
  if (url.protocol !== "https:") {
    throw new UsageError(
      "--url must start with https://: CertCentral only delivers to HTTPS endpoints.",
      policy.allowLoopbackHttp && url.protocol === "http:"
        ? {
            hint: "Against this local sandbox, plain http:// is accepted only on loopback (127.0.0.1, localhost, ::1).",
          }
        : undefined,
    );
  }
  // A Slack incoming-webhook URL is a credential: mask its secret part wherever the URL is shown.
  registerEndpointSecret(text);
  return text;
}

/** --event (repeatable) and --events a,b together: de-duplicated, in the order given. */
export function parseEventFlags(event?: string[], events?: string): { events?: string[]; unknown: string[] } {
  if ((event === undefined || event.length === 0) && events === undefined)
    return { events: undefined, unknown: [] };
  const names = [...(event ?? []), ...(events === undefined ? [] : events.split(","))].map((n) => n.trim());
  if (names.some((n) => n === "")) {
    throw new UsageError("An event name is empty (check --event / --events for stray commas).");
  }
  const bad = names.find((n) => !/^[A-Za-z0-9_.:-]+$/.test(n));
  if (bad !== undefined) throw new UsageError(`Not an event name: ${JSON.stringify(bad)}.`);
  const unique = [...new Set(names)];
  return { events: unique, unknown: unique.filter((n) => !SUBSCRIBABLE_EVENTS.includes(n)) };
}

/** --frequency 90,60,30,7,0,-7 → the days CertCentral allows (spec §12.4). */
export function parseFrequency(value: string): number[] {
  const parts = value.split(",").map((p) => p.trim());
  const allowed = NOTIFICATION_FREQUENCIES.join(", ");
  if (parts.some((p) => p === "")) {
    throw new UsageError(`--frequency needs a comma-separated list of days from: ${allowed}.`);
  }
  const days = parts.map((p) => {
    const n = /^-?\d+$/.test(p) ? Number(p) : Number.NaN;
    if (!NOTIFICATION_FREQUENCIES.includes(n)) {
      throw new UsageError(`--frequency: ${JSON.stringify(p)} is not allowed; use days from: ${allowed}.`);
    }
    return n;
  });
  return [...new Set(days)];
}

const flagValue = (on: boolean): string => (on ? "1" : "0");

/** Settings are sent only for the flags given, as CertCentral's "1"/"0" strings. */
export function parseSettingFlags(raw: WebhookFlagValues): WebhookSettings | undefined {
  const settings: WebhookSettings = {};
  if (raw.chain !== undefined) {
    settings.webhook_send_certificate_chain = flagValue(raw.chain);
    settings.webhook_send_instant_issued_certificate_chain = flagValue(raw.chain);
  }
  if (raw.instant !== undefined) settings.instant_issue_webhook_notification = flagValue(raw.instant);
  if (raw.frequency !== undefined) settings.webhook_notification_frequency = parseFrequency(raw.frequency);
  return Object.keys(settings).length > 0 ? settings : undefined;
}

export function parseSecretSource(raw: WebhookFlagValues, opts: { allowRemove: boolean }): SecretSource {
  const given = [
    raw.secretFile !== undefined && "--secret-file",
    raw.secretEnv !== undefined && "--secret-env",
    raw.generateSecret === true && "--generate-secret",
    raw.removeSecret === true && "--remove-secret",
  ].filter((f): f is string => typeof f === "string");
  if (given.length > 1) throw new UsageError(`Use only one of ${given.join(", ")}.`);
  if (raw.removeSecret && !opts.allowRemove)
    throw new UsageError("--remove-secret only applies to update-url.");
  if (raw.secretOut !== undefined && !raw.generateSecret) {
    throw new UsageError("--secret-out only applies together with --generate-secret.");
  }
  if (raw.secretFile !== undefined) {
    if (!raw.secretFile.trim()) throw new UsageError("--secret-file needs a path.");
    return { kind: "file", path: raw.secretFile };
  }
  if (raw.secretEnv !== undefined) return { kind: "env", name: checkSecretEnvName(raw.secretEnv) };
  if (raw.generateSecret) {
    if (raw.secretOut !== undefined && !raw.secretOut.trim())
      throw new UsageError("--secret-out needs a path.");
    return { kind: "generate", outFile: raw.secretOut };
  }
  if (raw.removeSecret) return { kind: "remove" };
  return { kind: "none" };
}

/** create's and update-url's flags, checked. */
export interface SetupOptions {
  url: string;
  /** undefined when no event flag was given. */
  events?: string[];
  /** Names not in CertCentral's documented list: warned about, still sent (spec §17 #5). */
  unknownEvents: string[];
  secret: SecretSource;
  /** undefined when no setting flag was given (nothing is sent then). */
  settings?: WebhookSettings;
  verify: boolean;
  /** --wait in ms. */
  waitMs?: number;
}

/** Every flag of create and update-url at once, so that all checks run before any request. */
export function parseSetupOptions(
  raw: WebhookFlagValues,
  policy: UrlPolicy,
  allowRemoveSecret: boolean,
): SetupOptions {
  const url = parseEndpointUrl(raw.url, policy);
  const { events, unknown } = parseEventFlags(raw.event, raw.events);
  const verify = raw.verify !== false;
  return {
    url,
    events,
    unknownEvents: unknown,
    secret: parseSecretSource(raw, { allowRemove: allowRemoveSecret }),
    settings: parseSettingFlags(raw),
    verify,
    waitMs: parseWaitOption(raw.wait, verify),
  };
}
