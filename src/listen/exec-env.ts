// The environment an --exec command runs in: the base environment plus CERTWH_EVENT, CERTWH_ORDER_ID and
// CERTWH_CERTIFICATE_ID taken from the event.

import type { ExecEvent } from "./exec-types.js";

function idFrom(data: unknown, key: string): string | undefined {
  if (typeof data !== "object" || data === null) return undefined;
  const value = (data as Record<string, unknown>)[key];
  if (typeof value === "number" && Number.isSafeInteger(value)) return String(value);
  if (typeof value === "string" && /^\d{1,16}$/.test(value)) return value;
  return undefined;
}

/** The command's environment: the base plus CERTWH_* (unset when the event does not carry the value). */
export function execEnv(base: NodeJS.ProcessEnv, event: ExecEvent): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base, CERTWH_EVENT: event.event };
  const vars = { CERTWH_ORDER_ID: "order_id", CERTWH_CERTIFICATE_ID: "certificate_id" } as const;
  for (const [name, key] of Object.entries(vars)) {
    const value = idFrom(event.data, key);
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}
