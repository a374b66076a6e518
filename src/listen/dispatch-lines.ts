// How the dispatcher's events and results read as listen's NDJSON lines (snake_case, optional fields only
// when they carry something).

import type { AcceptedDelivery } from "../receiver/outcomes.js";
import { type ExecResult, execReport } from "./exec.js";
import type { ForwardResult } from "./forward-types.js";
import { isoTime } from "./iso-time.js";
import type { ListenEvent } from "./types.js";

type Line<T extends ListenEvent["type"]> = Extract<ListenEvent, { type: T }>;

/**
 * A copy with ordinary objects: the receiver's null-prototype objects serialise the same, but a plain copy
 * keeps consumers simple. Walks the parsed JSON once instead of a stringify + parse round trip. The receiver
 * has already dropped `__proto__`/`constructor`/`prototype` keys; they are skipped here too, so an assignment
 * can never set a prototype.
 */
function plain(value: unknown): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return value.map(plain);
  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(source)) {
    if (key === "__proto__" || key === "constructor" || key === "prototype") continue;
    const item = source[key];
    if (item !== undefined) out[key] = plain(item);
  }
  return out;
}

/** The `event` line of an accepted delivery; `id` is its journal id. */
export function eventLine(d: AcceptedDelivery, id: string): Line<"event"> {
  return {
    type: "event",
    event: d.event.name,
    data: plain(d.payload.data) ?? null,
    received_at: isoTime(d.receivedAt),
    id,
    known: d.known,
    ...(d.repeatOf ? { repeat: true, first_received_at: isoTime(d.repeatOf.firstReceivedAt) } : {}),
    ...(d.handshakeKey ? { handshake_key: d.handshakeKey } : {}),
  };
}

export function forwardLine(r: ForwardResult): Line<"forward"> {
  return {
    type: "forward",
    id: r.id,
    event: r.event,
    url: r.url,
    attempt: r.attempt,
    ok: r.ok,
    ...(r.status !== undefined ? { status: r.status } : {}),
    ms: r.ms,
    ...(r.error !== undefined ? { error: r.error } : {}),
    final: r.final,
    ...(r.retryInMs !== undefined ? { retry_in_ms: r.retryInMs } : {}),
    ...(r.responseBody !== undefined
      ? { response_body: r.responseBody, response_truncated: r.responseTruncated === true }
      : {}),
  };
}

/** stderr only with a failure; stdout whenever the command printed something. */
export function execLine(r: ExecResult): Line<"exec"> {
  return {
    type: "exec",
    id: r.id,
    event: r.event,
    ...execReport(r),
    ...(!r.ok && r.stderrTail ? { stderr_tail: r.stderrTail } : {}),
    ...(r.stdoutTail ? { stdout_tail: r.stdoutTail } : {}),
  };
}
