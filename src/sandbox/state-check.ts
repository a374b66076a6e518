// What makes a --state-file unusable: anything the sandbox itself would never have written. A hand-edited
// file is refused at start, with one sentence naming the problem, rather than failing later, request by
// request (or making the CLI blame CertCentral for an answer of the wrong shape).

import { isObject } from "../util/is-object.js";
import { storedWebhookProblem } from "./validate.js";

const isPositiveId = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) > 0;
/** Epoch ms, or a status code: a whole number, not negative. */
const isWhole = (n: unknown) => Number.isSafeInteger(n) && (n as number) >= 0;
const isOptional = (value: unknown, check: (v: unknown) => boolean) => value === undefined || check(value);

/** A challenge token as WebhookStore.issueToken makes it. */
function isToken(t: unknown): boolean {
  return (
    isObject(t) &&
    typeof t.value === "string" &&
    t.value !== "" &&
    isWhole(t.issuedAt) &&
    isWhole(t.expiresAt) &&
    (t.expiresAt as number) >= (t.issuedAt as number)
  );
}

/** An event-log record as the engine writes it (types only: a time's text is shown, never parsed). */
function isLogRecord(r: unknown): boolean {
  return (
    isObject(r) &&
    typeof r.event_name === "string" &&
    r.event_name !== "" &&
    isOptional(r.event_info, isObject) &&
    (r.request_status === "success" || r.request_status === "failed") &&
    typeof r.request_sent_time === "string" &&
    isOptional(r.response_received_time, (v) => typeof v === "string") &&
    isOptional(r.response_code, isWhole)
  );
}

/** The first entry of `list` failing `check`, as "name[i]", or undefined. */
function firstBad(name: string, list: unknown[], check: (v: unknown) => boolean): string | undefined {
  const i = list.findIndex((v) => !check(v));
  return i < 0 ? undefined : `${name}[${i}]`;
}

/** Why `data` is not a state file the sandbox could have written, or undefined. */
export function stateProblem(data: unknown): string | undefined {
  if (!isObject(data)) return "not a JSON object";
  if (typeof data.nextId !== "number") return "nextId is not a number";
  if (!isPositiveId(data.nextId)) return "nextId is not a positive whole number";
  if (!Array.isArray(data.logs)) return "logs is not a list";
  const badLog = firstBad("logs", data.logs, isLogRecord);
  if (badLog) return `${badLog} is not an event-log record of the shape the sandbox writes`;
  const hook = data.webhook;
  if (hook === null) return undefined;
  if (!isObject(hook)) return "webhook is neither an object nor null";
  if (typeof hook.id !== "number") return "webhook.id is not a number";
  if (!isPositiveId(hook.id)) return "webhook.id is not a positive whole number";
  // Ids are handed out from nextId upwards, so the next one is always past the webhook's.
  if (data.nextId <= hook.id) return "nextId is not greater than webhook.id";
  if (typeof hook.endpoint !== "string") return "webhook.endpoint is not a string";
  if (!Array.isArray(hook.events) || !hook.events.every((e) => typeof e === "string"))
    return "webhook.events is not a list of names";
  if (!["pending", "active", "inactive"].includes(hook.status as string))
    return "webhook.status is not pending, active or inactive";
  if (!isObject(hook.webhook_settings)) return "webhook.webhook_settings is not an object";
  // A missing hidden flag reads as false, which the store handles; another type it would misread.
  const isFlag = (v: unknown) => typeof v === "boolean";
  if (!isOptional(hook.verified, isFlag)) return "webhook.verified is not true or false";
  if (!isOptional(hook.tested, isFlag)) return "webhook.tested is not true or false";
  if (!Array.isArray(hook.tokens)) return "webhook.tokens is not a list";
  const badToken = firstBad("webhook.tokens", hook.tokens, isToken);
  if (badToken) return `${badToken} is not a challenge token of the shape the sandbox writes`;
  return storedWebhookProblem(hook);
}
