// The single-webhook guard. A CertCentral account has one webhook, so listen either creates it or borrows
// the existing one. An ACTIVE webhook that points elsewhere is probably production: listen refuses to take it
// over unless told to (--force / --yes, or a confirmation in a terminal). Whatever it borrows is remembered
// (endpoint, events, settings, secret, status) so that --on-exit restore can put it back.

import type { UpdateWebhookRequest, Webhook, WebhookApi } from "../api/types.js";
import { normaliseSettings } from "../api/webhooks.js";
import { DeclinedError, NO_PROMPTS, UsageError } from "../errors.js";
import { SUBSCRIBABLE_EVENTS } from "../events/catalogue.js";
import { isLoopbackHost } from "../util/loopback.js";
import { registerSecret } from "../util/redact.js";
import { sameUrl } from "../util/same-url.js";
import { recordedListenEndpoints } from "./endpoints-record.js";
import type { ListenEvent, ListenOptions } from "./types.js";

export interface Claim {
  webhookId: number;
  /** The webhook as it was before listen changed it (secret included; never printed). */
  previous?: Webhook;
  /**
   * The events listen subscribed; null when it kept a borrowed webhook's list that CertCentral did not report
   * (no `events` in its answer): listen never sends a list it did not read.
   */
  events: string[] | null;
}

/** The calls claiming the webhook makes. */
export type ClaimApi = Pick<WebhookApi, "getWebhook" | "createWebhook" | "updateWebhook">;

interface ClaimOptions extends Pick<ListenOptions, "secret" | "events" | "settings" | "force"> {
  /** Events that must be subscribed whatever the list (the --until event). */
  alsoSubscribe?: string[];
  endpoint: string;
  /** For the record of listen's endpoints (XDG state folder). */
  env: NodeJS.ProcessEnv;
  confirm?: (question: string) => Promise<boolean>;
  signal: AbortSignal;
  emit(event: ListenEvent): void;
}

/** The domains listen's tunnels give (ngrok's): any host there with a listen path is a listen receiver. */
const TUNNEL_DOMAINS = ["ngrok-free.app", "ngrok.app", "ngrok.io", "ngrok-free.dev", "ngrok.dev"];

/**
 * Whether `endpoint` is a `certwh listen` receiver: its path ends in /hook/<22 base64url characters>
 * (randomHookPath), and its host is a tunnel's or this machine's, or listen recorded it (a custom domain).
 * A production endpoint may have such a path too: anything else is the user's (restore puts it back).
 */
export function looksLikeListenEndpoint(endpoint: string, env: NodeJS.ProcessEnv): boolean {
  const url = URL.parse(endpoint);
  if (!url || !/\/hook\/[A-Za-z0-9_-]{22}$/.test(url.pathname)) return false;
  const host = url.hostname.toLowerCase().replace(/\.$/, "");
  if (isLoopbackHost(host) || TUNNEL_DOMAINS.some((domain) => host.endsWith(`.${domain}`))) return true;
  return recordedListenEndpoints(env).some((recorded) => sameUrl(recorded, endpoint));
}

function takeoverRefusal(hook: Webhook, interactive: boolean, env: NodeJS.ProcessEnv): Error {
  const leftover = looksLikeListenEndpoint(hook.endpoint, env)
    ? " It points at a `certwh listen` receiver: another listen may be running on this account, or an earlier one ended with --on-exit keep or crashed."
    : " It is probably your production endpoint.";
  const sentence = `Webhook ${hook.id} is active and points at ${hook.endpoint}.${leftover}`;
  const hint =
    "Pass --force (or --yes) to point it at this listen session anyway; add --on-exit restore to put " +
    "the endpoint, events and secret back afterwards (CertCentral then needs that endpoint verified again).";
  return interactive
    ? new DeclinedError(`${sentence} Declined: not taken over.`, { hint })
    : new UsageError(`${sentence} Taking it over needs confirmation, and ${NO_PROMPTS}.`, {
        code: "foreign_webhook",
        hint,
      });
}

/** `--until certificate_revoked` on a webhook that only gets certificate_issued would wait forever. */
function withRequired(events: string[], required: string[] = []): string[] {
  const missing = required.filter((e) => SUBSCRIBABLE_EVENTS.includes(e) && !events.includes(e));
  return missing.length ? [...events, ...missing] : events;
}

/**
 * Create the account's webhook, or re-point the existing one at `endpoint` with listen's secret. Nothing in
 * the account changes before the checks pass.
 */
export async function claimWebhook(api: ClaimApi, o: ClaimOptions): Promise<Claim> {
  const call = { signal: o.signal };
  const hook = await api.getWebhook(call);
  if (!hook) {
    const events = withRequired(o.events ?? [...SUBSCRIBABLE_EVENTS], o.alsoSubscribe);
    const id = await api.createWebhook(
      {
        endpoint: o.endpoint,
        secret: o.secret,
        events,
        ...(o.settings ? { webhook_settings: o.settings } : {}),
      },
      call,
    );
    o.emit({ type: "state", stage: "webhook_created", webhook_id: id, endpoint: o.endpoint, events });
    return { webhookId: id, events };
  }

  registerSecret(hook.secret);
  const foreign = hook.status === "active" && !sameUrl(hook.endpoint, o.endpoint);
  o.emit({
    type: "state",
    stage: "webhook_found",
    webhook_id: hook.id,
    endpoint: hook.endpoint,
    status: String(hook.status),
    foreign,
  });
  if (foreign && !o.force) {
    if (!o.confirm) throw takeoverRefusal(hook, false, o.env);
    const question =
      `Webhook ${hook.id} is active and points at ${hook.endpoint}. Point it at this listen session ` +
      "(CertCentral stops delivering there until it is verified again)?";
    if (!(await o.confirm(question))) throw takeoverRefusal(hook, true, o.env);
  }

  const events = claimedEvents(hook, o);
  const body: UpdateWebhookRequest = { endpoint: o.endpoint, secret: o.secret };
  if (events !== null) body.events = events;
  if (o.settings) body.webhook_settings = { ...normaliseSettings(hook.webhook_settings), ...o.settings };
  await api.updateWebhook(hook.id, body, call);
  o.emit({
    type: "state",
    stage: "webhook_updated",
    webhook_id: hook.id,
    endpoint: o.endpoint,
    previous_endpoint: hook.endpoint,
  });
  return { webhookId: hook.id, previous: structuredClone(hook), events };
}

/**
 * The events a borrowed webhook gets: --event's list, else the webhook's own (every subscribable event when it
 * has none), plus the --until event. Null when no --event was given and CertCentral did not report the
 * webhook's events: the update then leaves them out, so CertCentral keeps them (spec §6.1), and an --until
 * event cannot be added to a list certwh never read (a warning says so).
 */
function claimedEvents(hook: Webhook, o: ClaimOptions): string[] | null {
  if (o.events === undefined && hook.events === null) {
    const until = o.alsoSubscribe ?? [];
    if (until.length > 0) {
      o.emit({
        type: "warning",
        message:
          `CertCentral did not report webhook ${hook.id}'s events, so listen keeps them as they are and cannot ` +
          `tell whether ${until.join(", ")} is among them; pass --event to set the list.`,
      });
    }
    return null;
  }
  const own = hook.events !== null && hook.events.length > 0 ? [...hook.events] : [...SUBSCRIBABLE_EVENTS];
  return withRequired(o.events ?? own, o.alsoSubscribe);
}

/**
 * The update that puts a borrowed webhook back as it was (secret "" removes one listen added). Events that
 * CertCentral did not report are left out: certwh cannot put back a list it never read.
 */
export function restoreRequest(previous: Webhook): UpdateWebhookRequest {
  const body: UpdateWebhookRequest = { endpoint: previous.endpoint, secret: previous.secret ?? "" };
  if (previous.events !== null) body.events = [...previous.events];
  const settings = normaliseSettings(previous.webhook_settings);
  if (Object.keys(settings).length > 0) body.webhook_settings = settings;
  return body;
}
