// --until <event> [--order-id N] [--timeout 30m]: stop listen when a matching event arrives (CI waits).

import { UsageError } from "../errors.js";

export interface UntilOptions {
  event: string;
  /** Also require data.order_id to equal this (number or decimal string in the payload). */
  orderId?: number;
}

/** A predicate over parsed payloads ({ event, data }). */
type UntilMatcher = (payload: unknown) => boolean;

export function createUntil(options: UntilOptions): UntilMatcher {
  if (!options.event) throw new UsageError("--until needs an event name, e.g. --until certificate_issued.");
  if (options.orderId !== undefined && !(Number.isSafeInteger(options.orderId) && options.orderId > 0)) {
    throw new UsageError("--order-id must be a positive integer.");
  }
  return (payload) => {
    if (typeof payload !== "object" || payload === null) return false;
    const { event, data } = payload as { event?: unknown; data?: unknown };
    if (event !== options.event) return false;
    if (options.orderId === undefined) return true;
    if (typeof data !== "object" || data === null) return false;
    const orderId = (data as { order_id?: unknown }).order_id;
    return String(orderId) === String(options.orderId) && /^\d+$/.test(String(orderId));
  };
}
