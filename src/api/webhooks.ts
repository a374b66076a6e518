// One small function per CertCentral webhook endpoint (spec §4–§11), over ApiClient. The retry rules live
// here because only the caller knows which calls are safe to repeat:
//   retried:        GET /webhook, GET event-logs, activate, deactivate (idempotent)
//   never repeated: send-challenge (each call issues a new token), check-challenge (a repeat after a lost
//                   answer turns success into webhook_invalid_token), test-endpoint, delete,
//                   create and update (reconciled with a list after an ambiguous failure instead).

import { type Clock, systemClock } from "../util/clock.js";
import { sameUrl } from "../util/same-url.js";
import { ApiClient, MAX_EVENT_LOG_BYTES } from "./client.js";
import { ApiError, ApiTimeoutError, NetworkError } from "./errors.js";
import { readCreated, readEventLogPage, readWebhookList } from "./shapes.js";
import {
  type ApiClientOptions,
  type CallOptions,
  type EventLogQuery,
  FLAG_SETTINGS,
  type UpdateWebhookRequest,
  type Webhook,
  type WebhookApi,
  type WebhookSettings,
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

/**
 * Read the account back (`looks` times at most, RECHECK_DELAY_MS apart) until `done` accepts its webhook. A
 * read that fails counts as nothing seen, unless `signal` aborted it: then what `aborted()` gives is thrown.
 */
export async function readBackUntil(
  getWebhook: WebhookApi["getWebhook"],
  o: { looks: number; clock?: Clock; signal?: AbortSignal; aborted: () => unknown },
  done: (now: Webhook) => boolean,
): Promise<Webhook | undefined> {
  for (let look = 1; look <= o.looks; look++) {
    if (look > 1) await (o.clock as Clock).sleep(RECHECK_DELAY_MS, o.signal);
    const now = await getWebhook({ signal: o.signal }).catch(() => {
      if (o.signal?.aborted) throw o.aborted();
      return null;
    });
    if (now && done(now)) return now;
  }
  return undefined;
}

function idPath(id: number, suffix = ""): string {
  if (!Number.isSafeInteger(id) || id <= 0) throw new TypeError(`Invalid webhook id: ${id}`);
  return `/webhook/${id}${suffix}`;
}

/** CertCentral's largest (and default) event-log page (spec §11.1); certwh always asks for a size. */
const EVENT_LOG_MAX_LIMIT = 1000;

const flag = (v: unknown): string => (v === true || v === 1 || v === "1" ? "1" : "0");

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

/** The same members in any order. */
const sameMembers = (a: Iterable<unknown>, b: Iterable<unknown>): boolean =>
  [...a].sort().join(",") === [...b].sort().join(",");

/** Whether the webhook now holds everything `body` asked for (settings compared as "1"/"0" flags). */
function webhookMatches(wh: Webhook, body: UpdateWebhookRequest): boolean {
  if (!sameUrl(wh.endpoint, body.endpoint)) return false;
  if (body.secret !== undefined && (wh.secret ?? "") !== body.secret) return false;
  // Events not reported cannot confirm a list that was sent.
  if (
    body.events !== undefined &&
    (wh.events === null || !sameMembers(new Set(body.events), new Set(wh.events)))
  )
    return false;
  const have: WebhookSettings = wh.webhook_settings ?? {};
  return Object.entries(body.webhook_settings ?? {}).every(([key, value]) => {
    const current = have[key as keyof WebhookSettings];
    if (value === undefined) return true;
    if (Array.isArray(value)) return Array.isArray(current) && sameMembers(current, value);
    return flag(current) === flag(value);
  });
}

export function createWebhookApi(opts: ApiClientOptions): WebhookApi {
  const client = new ApiClient(opts);
  const clock = opts.clock ?? systemClock;
  let toldMany = false;

  async function getWebhook(o: CallOptions = {}): Promise<Webhook | null> {
    let list: Webhook[];
    try {
      list = await client.read({ method: "GET", path: "/webhook", signal: o.signal }, true, readWebhookList);
    } catch (err) {
      if (err instanceof ApiError && err.status === 400 && err.hasCode("webhook_invalid_account"))
        return null;
      throw err;
    }
    // One webhook per account (spec §5.1): the first is the account's. An answer with more is said once (a
    // command may read the account again), so that the user can look at the others in the console.
    if (list.length > 1 && !toldMany) {
      toldMany = true;
      opts.onNotice?.(
        `CertCentral returned ${list.length} webhooks (ids ${list.map((w) => w.id).join(", ")}), though it allows one per account; certwh uses the first, ${list[0]?.id}: look at the others in the CertCentral console.`,
      );
    }
    return list[0] ?? null;
  }

  const reconcile = (signal: AbortSignal | undefined, done: (now: Webhook) => boolean) =>
    readBackUntil(getWebhook, { looks: 2, clock, signal, aborted: () => signal?.reason }, done);

  return {
    getWebhook,

    async createWebhook(body, o = {}) {
      try {
        return await client.read(
          { method: "POST", path: "/webhook", body, signal: o.signal },
          false,
          readCreated,
        );
      } catch (err) {
        if (!isAmbiguousFailure(err)) throw err;
        // The POST may have created the webhook. One webhook per account: if it now points where we asked,
        // it is ours; a second POST would only earn webhook_configured_already.
        const now = await reconcile(o.signal, (w) => sameUrl(w.endpoint, body.endpoint));
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
        const now = await reconcile(o.signal, (w) => w.id === id && webhookMatches(w, body));
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
      // Always an explicit page (CertCentral's default is its maximum, 1,000 entries of up to ~4 KB each).
      const limit = Math.min(query.limit ?? EVENT_LOG_MAX_LIMIT, EVENT_LOG_MAX_LIMIT);
      const offset = query.offset ?? 0;
      if (!Number.isSafeInteger(limit) || limit < 1) throw new TypeError(`Invalid event-log limit: ${limit}`);
      if (!Number.isSafeInteger(offset) || offset < 0)
        throw new TypeError(`Invalid event-log offset: ${offset}`);
      const q: Record<string, string | number | undefined> = { limit, offset, sort: query.sort };
      for (const [k, v] of Object.entries(query.filters ?? {})) q[`filters[${k}]`] = v;
      const path = idPath(id, "/event-logs");
      return client.read(
        { method: "GET", path, query: q, maxBodyBytes: MAX_EVENT_LOG_BYTES, signal: o.signal },
        true,
        (data, at) => readEventLogPage(data, at, { limit, offset }),
      );
    },
  };
}
