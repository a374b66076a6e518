// One small function per CertCentral webhook endpoint (spec §4–§11), over ApiClient. The retry rules live
// here because only the caller knows which calls are safe to repeat:
//   retried:        GET /webhook, GET event-logs, activate, deactivate (idempotent)
//   never repeated: send-challenge (each call issues a new token), check-challenge (a repeat after a lost
//                   answer turns success into webhook_invalid_token), test-endpoint, delete,
//                   create and update (reconciled with a list after an ambiguous failure instead).

import { systemClock } from "../util/clock.js";
import { ApiClient } from "./client.js";
import { ApiError, ApiTimeoutError, NetworkError } from "./errors.js";
import type {
  ApiClientOptions,
  CallOptions,
  EventLogPage,
  EventLogQuery,
  UpdateWebhookRequest,
  Webhook,
  WebhookApi,
  WebhookSettings,
} from "./types.js";

/**
 * A failure after which the server may or may not have done the work: no answer, a 5xx, or a 2xx that
 * could not be read (it said yes, but certwh cannot tell to what).
 */
export function isAmbiguousFailure(err: unknown): boolean {
  return (
    err instanceof NetworkError ||
    err instanceof ApiTimeoutError ||
    (err instanceof ApiError && (err.status >= 500 || (err.status >= 200 && err.status < 300)))
  );
}

function describeAmbiguity(err: unknown): string {
  if (err instanceof ApiTimeoutError) return "CertCentral did not answer in time";
  if (err instanceof NetworkError) return "The connection to CertCentral failed";
  return err instanceof ApiError ? `CertCentral answered HTTP ${err.status}` : "The request failed";
}

/**
 * After an ambiguous create/update the account is read back; when the change is not visible yet it is
 * read once more after this pause, because CertCentral may still be processing a request whose answer
 * certwh gave up waiting for. One re-check only: the caller's message covers the rest.
 */
export const RECHECK_DELAY_MS = 2000;

function idPath(id: number, suffix = ""): string {
  if (!Number.isSafeInteger(id) || id <= 0) throw new TypeError(`Invalid webhook id: ${id}`);
  return `/webhook/${id}${suffix}`;
}

function unexpected(method: string, path: string, what: string): ApiError {
  return new ApiError({
    status: 200,
    code: "",
    method,
    path,
    detail: what,
    message: `Unexpected answer from CertCentral: ${what}`,
  });
}

const flag = (v: unknown): string => (v === true || v === 1 || v === "1" ? "1" : "0");

const FLAG_SETTINGS = [
  "instant_issue_webhook_notification",
  "webhook_send_certificate_chain",
  "webhook_send_instant_issued_certificate_chain",
] as const;

/**
 * Settings as read back, in the form CertCentral takes: it may answer flags as booleans or numbers
 * (spec §17 #8) but takes "1"/"0" strings. The frequency list is copied, never shared with the input.
 */
export function normaliseSettings(s: WebhookSettings | undefined): WebhookSettings {
  const out: WebhookSettings = {};
  if (!s) return out;
  for (const key of FLAG_SETTINGS) {
    if (s[key] !== undefined && s[key] !== null) out[key] = flag(s[key]);
  }
  if (Array.isArray(s.webhook_notification_frequency)) {
    out.webhook_notification_frequency = [...s.webhook_notification_frequency];
  }
  return out;
}

/** Whether the webhook now holds everything `body` asked for (settings compared as "1"/"0" flags). */
function webhookMatches(wh: Webhook, body: UpdateWebhookRequest): boolean {
  if (wh.endpoint !== body.endpoint) return false;
  if (body.secret !== undefined && (wh.secret ?? "") !== body.secret) return false;
  if (body.events !== undefined) {
    const want = [...new Set(body.events)].sort().join(",");
    if ([...new Set(wh.events ?? [])].sort().join(",") !== want) return false;
  }
  const want = body.webhook_settings;
  const have: WebhookSettings = wh.webhook_settings ?? {};
  if (want) {
    for (const [key, value] of Object.entries(want) as [keyof WebhookSettings, unknown][]) {
      if (value === undefined) continue;
      const current = have[key];
      if (Array.isArray(value)) {
        if (!Array.isArray(current) || [...current].sort().join(",") !== [...value].sort().join(","))
          return false;
      } else if (flag(current) !== flag(value)) {
        return false;
      }
    }
  }
  return true;
}

export function createWebhookApi(opts: ApiClientOptions): WebhookApi {
  const client = new ApiClient(opts);
  const clock = opts.clock ?? systemClock;

  async function getWebhook(o: CallOptions = {}): Promise<Webhook | null> {
    let data: { webhooks?: unknown } | undefined;
    try {
      data = await client.call<{ webhooks?: unknown }>(
        { method: "GET", path: "/webhook", expectJson: true, signal: o.signal },
        true,
      );
    } catch (err) {
      if (err instanceof ApiError && err.status === 400 && err.hasCode("webhook_invalid_account"))
        return null;
      throw err;
    }
    const list = data?.webhooks;
    if (!Array.isArray(list)) throw unexpected("GET", "/webhook", "no `webhooks` list.");
    const first = list[0] as Webhook | undefined;
    if (first === undefined) return null;
    if (typeof first !== "object" || first === null || typeof first.id !== "number") {
      throw unexpected("GET", "/webhook", "a webhook without a numeric id.");
    }
    return { ...first, events: Array.isArray(first.events) ? first.events : [] };
  }

  /** After an ambiguous failure: the account's webhook if it is readable, else undefined (never throws but aborts). */
  async function lookAgain(signal: AbortSignal | undefined): Promise<Webhook | null | undefined> {
    try {
      return await getWebhook({ signal });
    } catch {
      if (signal?.aborted) throw signal.reason;
      return undefined;
    }
  }

  /** Read the account back (twice at most, RECHECK_DELAY_MS apart) until `done` accepts what it shows. */
  async function reconcile(
    signal: AbortSignal | undefined,
    done: (now: Webhook | null | undefined) => boolean,
  ): Promise<Webhook | undefined> {
    for (let look = 1; look <= 2; look++) {
      if (look > 1) await clock.sleep(RECHECK_DELAY_MS, signal);
      const now = await lookAgain(signal);
      if (now && done(now)) return now;
    }
    return undefined;
  }

  return {
    getWebhook,

    async createWebhook(body, o = {}) {
      try {
        const data = await client.call<{ webhook_id?: unknown }>(
          { method: "POST", path: "/webhook", body, expectJson: true, signal: o.signal },
          false,
        );
        if (typeof data?.webhook_id !== "number")
          throw unexpected("POST", "/webhook", "no numeric `webhook_id`.");
        return data.webhook_id;
      } catch (err) {
        if (!isAmbiguousFailure(err)) throw err;
        // The POST may have created the webhook. One webhook per account: if it now points where we asked,
        // it is ours; a second POST would only earn webhook_configured_already.
        const now = await reconcile(o.signal, (w) => w?.endpoint === body.endpoint);
        if (!now) throw err;
        opts.onNotice?.(
          `${describeAmbiguity(err)}; reading the account back shows webhook ${now.id} was created.`,
        );
        return now.id;
      }
    },

    async updateWebhook(id, body, o = {}) {
      try {
        await client.call({ method: "PUT", path: idPath(id), body, signal: o.signal }, false);
      } catch (err) {
        if (!isAmbiguousFailure(err)) throw err;
        const now = await reconcile(o.signal, (w) => w?.id === id && webhookMatches(w, body));
        if (!now) throw err;
        opts.onNotice?.(`${describeAmbiguity(err)}; reading the account back shows the update was applied.`);
      }
    },

    async testEndpoint(body, o = {}) {
      await client.call({ method: "POST", path: "/webhook/test-endpoint", body, signal: o.signal }, false);
    },

    async sendChallenge(id, o = {}) {
      await client.call({ method: "PUT", path: idPath(id, "/send-challenge"), signal: o.signal }, false);
    },

    async checkChallenge(id, token, o = {}) {
      await client.call(
        { method: "PUT", path: idPath(id, "/check-challenge"), body: { token }, signal: o.signal },
        false,
      );
    },

    async activate(id, o = {}) {
      await client.call({ method: "PUT", path: idPath(id, "/activate"), signal: o.signal }, true);
    },

    async deactivate(id, o = {}) {
      await client.call({ method: "PUT", path: idPath(id, "/deactivate"), signal: o.signal }, true);
    },

    async deleteWebhook(id, o = {}) {
      await client.call({ method: "DELETE", path: idPath(id), signal: o.signal }, false);
    },

    async eventLogs(id, query: EventLogQuery = {}, o = {}) {
      const q: Record<string, string | number | undefined> = { limit: query.limit, offset: query.offset };
      for (const [k, v] of Object.entries(query.filters ?? {})) q[`filters[${k}]`] = v;
      const path = idPath(id, "/event-logs");
      const data = await client.call<EventLogPage>(
        { method: "GET", path, query: q, expectJson: true, signal: o.signal },
        true,
      );
      if (!data || !Array.isArray(data.events)) throw unexpected("GET", path, "no `events` list.");
      return {
        events: data.events,
        page: data.page ?? {
          total: data.events.length,
          limit: query.limit ?? data.events.length,
          offset: query.offset ?? 0,
        },
      };
    },
  };
}
