// The sandbox console's API: the inspector page becomes a small CertCentral console for an in-process
// sandbox (listen --sandbox, sandbox --ui). The server calls the sandbox directly, so its API key never
// reaches the page; the webhook's secret and challenge tokens are left out of everything sent.
//
//   GET  /api/sandbox          → 200 {webhook: {...} | null, event_types: [{name, description, guessed_payload}],
//                                     deliveries: [{kind, event, status, ok, error?, duration_ms?, sent_at}]}
//   POST /api/sandbox/trigger  {"event": "certificate_revoked"}
//        → 200 {delivered: true, delivery: {kind, event, url, status, ok, duration_ms?, error?}}
//        → 200 {delivered: false, reason: "the webhook is pending, not active"}
//        → 400 {error: "…"} for a name that is not an event a webhook can subscribe to

import type { IncomingMessage, ServerResponse } from "node:http";
import { EVENT_TYPES, findEventType } from "../events/catalogue.js";
import { buildEvent, randomSampleIds } from "../events/payloads.js";
import type { Delivery, Sandbox, SandboxWebhook } from "../sandbox/types.js";
import { type Route, readJsonBody, sendError, sendJson } from "./routes.js";

/** What the console needs of a sandbox (tests may pass a part of one). */
export type ConsoleSandbox = Pick<Sandbox, "webhook" | "emit" | "deliveries">;

/** The most recent deliveries shown (a long session sends thousands). */
const CONSOLE_DELIVERIES = 20;

const SUBSCRIBABLE = EVENT_TYPES.filter((e) => e.subscribable);

/** The webhook as the page may see it: chosen fields only, never the secret or the tokens. */
function webhookView(hook: SandboxWebhook) {
  return {
    id: hook.id,
    endpoint: hook.endpoint,
    status: hook.status,
    events: [...hook.events],
    settings: structuredClone(hook.webhook_settings),
    has_secret: Boolean(hook.secret),
    verified: hook.verified,
    open_tokens: hook.tokens.length,
  };
}

/** A delivery without its body or headers (a challenge's body holds the token, headers the secret). */
function deliveryView(d: Delivery) {
  return {
    kind: d.kind,
    event: d.event,
    url: d.url,
    status: d.status ?? null,
    ok: d.ok,
    ...(d.error ? { error: d.error } : {}),
    ...(d.durationMs !== undefined ? { duration_ms: d.durationMs } : {}),
  };
}

function state(sandbox: ConsoleSandbox) {
  const hook = sandbox.webhook();
  return {
    webhook: hook ? webhookView(hook) : null,
    event_types: SUBSCRIBABLE.map((e) => ({
      name: e.name,
      description: e.description,
      guessed_payload: e.guessedPayload,
    })),
    deliveries: sandbox.deliveries
      .slice(-CONSOLE_DELIVERIES)
      .reverse()
      .map((d) => ({ ...deliveryView(d), sent_at: new Date(d.sentAt).toISOString() })),
  };
}

/** Why the sandbox sent nothing (its emit says only that it did not): the same rules, read from its state. */
function notSentReason(hook: SandboxWebhook | null, event: string): string {
  if (!hook) return "no webhook is configured";
  if (hook.status !== "active") return `the webhook is ${hook.status}, not active`;
  if (!hook.events.includes(event)) return `the webhook is not subscribed to ${event}`;
  return "the sandbox did not send it";
}

/** The event name of a trigger request, or a message saying what is wrong with it. */
function eventOf(body: unknown): { event: string } | { error: string } {
  const event = body && typeof body === "object" ? (body as { event?: unknown }).event : undefined;
  if (typeof event !== "string" || event === "") return { error: 'Send {"event": "<name>"}.' };
  const type = findEventType(event);
  const names = SUBSCRIBABLE.map((e) => e.name).join(", ");
  if (!type) return { error: `Unknown event "${event}". The console sends one of: ${names}.` };
  if (!type.subscribable)
    return { error: `${event} is not an event a webhook subscribes to. The console sends one of: ${names}.` };
  return { event };
}

async function trigger(sandbox: ConsoleSandbox, req: IncomingMessage, res: ServerResponse) {
  const read = await readJsonBody(req, res, 4096);
  if (!read) return;
  const asked = eventOf(read.value);
  if ("error" in asked) return sendError(res, 400, asked.error);
  // Realistic data as `certwh trigger` makes it: fresh random ids, so a receiver that drops repeats keeps
  // each one. No chain: the sandbox adds it when the webhook's chain settings ask for it, as CertCentral does.
  const { certificate_chain: _chain, ...data } = buildEvent(asked.event, randomSampleIds()).data ?? {};
  const delivery = await sandbox.emit(asked.event, data);
  if (!delivery)
    return sendJson(res, 200, { delivered: false, reason: notSentReason(sandbox.webhook(), asked.event) });
  return sendJson(res, 200, { delivered: true, delivery: deliveryView(delivery) });
}

/** The console's routes, for startInspector({ routes }). */
export function sandboxConsoleRoutes(sandbox: ConsoleSandbox): Route[] {
  return [
    { method: "GET", path: "/api/sandbox", handle: (_req, res) => sendJson(res, 200, state(sandbox)) },
    { method: "POST", path: "/api/sandbox/trigger", handle: (req, res) => trigger(sandbox, req, res) },
  ];
}
