// Injected faults: scripted answers for the next calls of a route (reliability checklist: 429, 5xx,
// delays, drops, redirects), each consumed by exactly one call, in the order injected. Every fault is
// checked when it is injected, so a malformed one is refused then (admin: 400) instead of turning the
// intended call into a bare 500 later.

import type { ServerResponse } from "node:http";
import { setTimeout as delay } from "node:timers/promises";
import { codeForStatus, envelope } from "./envelope.js";
import { isRetryAfterValue } from "./retry-after.js";
import { ROUTE_KEYS } from "./routes.js";
import { sendJson } from "./send.js";
import type { Fault, RecordedRequest } from "./types.js";

/** The longest delay a fault may hold a call: a test's wait, not a hang. */
export const MAX_FAULT_DELAY_MS = 10 * 60 * 1000;

const KINDS = "{status, retryAfter?, body?}, {delayMs}, {drop: true} or {redirect: url}";
const FIELDS: Record<string, readonly string[]> = {
  status: ["status", "retryAfter", "body"],
  delayMs: ["delayMs"],
  drop: ["drop"],
  redirect: ["redirect"],
};

/**
 * `value` as a Fault, or an Error naming what is wrong. Status faults need a final status, 200–599:
 * a 1xx is only ever an interim answer (RFC 9110 §15.2), so a client sent one waits for the real one forever.
 */
export function checkFault(value: unknown, index: number): Fault {
  const where = `fault ${index + 1}`;
  const bad = (why: string) => new Error(`${where}: ${why}; a fault is one of ${KINDS}.`);
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw bad("not an object");
  const fault = value as Record<string, unknown>;
  const kinds = Object.keys(FIELDS).filter((k) => k in fault);
  if (kinds.length !== 1)
    throw bad(kinds.length === 0 ? "it names no kind" : `it mixes ${kinds.join(" and ")}`);
  const kind = kinds[0] as string;
  const unknown = Object.keys(fault).find((k) => !FIELDS[kind]?.includes(k));
  if (unknown !== undefined) throw bad(`unknown field "${unknown}"`);
  if (kind === "status") {
    const { status, retryAfter, body } = fault;
    if (typeof status !== "number" || !Number.isInteger(status) || status < 200 || status > 599)
      throw bad("status must be an integer from 200 to 599");
    if (retryAfter !== undefined && (typeof retryAfter !== "string" || !isRetryAfterValue(retryAfter)))
      throw bad('retryAfter must be a Retry-After value: whole seconds ("120") or an HTTP date');
    if (body !== undefined && typeof body !== "string") throw bad("body must be a string");
  } else if (kind === "delayMs") {
    const ms = fault.delayMs;
    if (typeof ms !== "number" || !Number.isFinite(ms) || ms < 0 || ms > MAX_FAULT_DELAY_MS)
      throw bad(`delayMs must be a number of milliseconds from 0 to ${MAX_FAULT_DELAY_MS}`);
  } else if (kind === "drop") {
    if (fault.drop !== true) throw bad("drop must be true");
  } else {
    const url = typeof fault.redirect === "string" ? URL.parse(fault.redirect) : null;
    if (url?.protocol !== "http:" && url?.protocol !== "https:")
      throw bad("redirect must be an absolute http:// or https:// URL");
    // Sent as the WHATWG URL's href: percent-encoded, so Location carries ASCII, not raw Latin-1 bytes.
    return { redirect: url.href };
  }
  return fault as Fault;
}

/** "put /webhook/{webhook_id}/activate" → "PUT /webhook/:id/activate". */
export function normalizeRoute(route: string): string {
  const [method = "", path = ""] = route.trim().split(/\s+/, 2);
  const clean = path
    .replace(/^\/services\/v2/, "")
    .replace(/\{[^}]+\}|:[a-z_]+|\/\d+(?=\/|$)/gi, (m) => (m.startsWith("/") ? "/:id" : ":id"));
  return `${method.toUpperCase()} ${clean}`;
}

export class FaultQueue {
  private readonly queue: { route: string; fault: Fault }[] = [];

  /** Queues every fault, or none: throws on an unknown route or the first malformed fault. */
  add(route: string, faults: readonly unknown[]): void {
    const key = normalizeRoute(route);
    if (!ROUTE_KEYS.includes(key)) {
      throw new Error(`Unknown sandbox route "${route}"; use one of: ${ROUTE_KEYS.join(", ")}`);
    }
    const checked = faults.map(checkFault);
    for (const fault of checked) this.queue.push({ route: key, fault });
  }

  /** The next fault for this route, removed from the queue. */
  take(route: string): Fault | undefined {
    const i = this.queue.findIndex((f) => f.route === route);
    return i < 0 ? undefined : this.queue.splice(i, 1)[0].fault;
  }

  pending(): { route: string; fault: Fault }[] {
    return this.queue.map((f) => ({ ...f }));
  }
}

/** How the sandbox's log names an injected fault. */
function describeFault(fault: Fault): string {
  if ("delayMs" in fault) return `delay ${fault.delayMs} ms`;
  if ("drop" in fault) return "drop";
  if ("redirect" in fault) return "redirect";
  return `status ${fault.status}`;
}

/** Applies a fault; returns true when the request was answered (or dropped) by it. */
export async function applyFault(
  fault: Fault,
  res: ServerResponse,
  record: RecordedRequest,
  stopped: AbortSignal,
): Promise<boolean> {
  record.fault = describeFault(fault);
  if ("delayMs" in fault) {
    const held = await delay(fault.delayMs, false, { signal: stopped }).catch(() => true);
    if (held) res.socket?.destroy();
    return held;
  }
  if ("drop" in fault) {
    res.socket?.destroy();
    return true;
  }
  if ("redirect" in fault) {
    res.writeHead(302, { Location: fault.redirect, "Content-Length": "0" });
    res.end();
    record.status = 302;
    return true;
  }
  const code = codeForStatus(fault.status);
  sendJson(
    res,
    fault.status,
    fault.body ?? envelope(code),
    fault.retryAfter !== undefined ? { "Retry-After": fault.retryAfter } : {},
  );
  // Recorded once written: the log must not name a status the client never got.
  record.status = fault.status;
  if (fault.body === undefined) record.errorCode = code;
  return true;
}
