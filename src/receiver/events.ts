// CertCentral deliveries as a discriminated union (spec §12). Parsing tolerates extra and missing `data`
// fields (spec §17 #4): known fields of the wrong type are left out of the typed view, never fatal. Only the
// envelope is strict: a JSON object with a string `event`, and `data` an object when present.

import { isObject } from "../util/is-object.js";
import { tokenText } from "../verification/token-gate.js";

/** Any JSON object as parsed by the receiver (null prototype, no `__proto__`/`constructor` keys). */
export type JsonObject = { [key: string]: unknown };

export interface ChainCertificate {
  subject_common_name?: string;
  pem: string;
}

interface EventBase<T extends string, D> {
  /** Discriminant. `unknown` for names certwh does not know (passed through for forward compatibility). */
  type: T;
  /** The `event` string exactly as received. */
  name: string;
  /** The known `data` fields, typed; every other received field is kept as is. */
  data: D & JsonObject;
}

export type TestEvent = EventBase<"test_webhook_endpoint", object>;
export type ChallengeEvent = EventBase<"challenge_webhook_endpoint", { token?: string; webhook_id?: number }>;
export type CertificateIssuedEvent = EventBase<
  "certificate_issued",
  { order_id?: number; certificate_id?: number; certificate_chain?: ChainCertificate[] }
>;
export type CertificateRevokedEvent = EventBase<
  "certificate_revoked",
  { order_id?: number; certificate_id?: number }
>;
export type OrderRejectedEvent = EventBase<"order_rejected", { order_id?: number; certificate_id?: number }>;
/** Payload undocumented by DigiCert; `organization_id` is certwh's guess (spec §17 #4). */
export type OrganizationEvent = EventBase<
  "organization_validated" | "organization_expired" | "organization_revalidation_notice",
  { organization_id?: number }
>;
/** Payload undocumented by DigiCert; `domain_id` is certwh's guess (spec §17 #4). */
export type DomainEvent = EventBase<
  "domain_validated" | "domain_expired" | "domain_revalidation_notice",
  { domain_id?: number }
>;
export type UnknownEvent = EventBase<"unknown", object>;

export type CertCentralEvent =
  | TestEvent
  | ChallengeEvent
  | CertificateIssuedEvent
  | CertificateRevokedEvent
  | OrderRejectedEvent
  | OrganizationEvent
  | DomainEvent
  | UnknownEvent;

export type KnownEventName = Exclude<CertCentralEvent["type"], "unknown">;

export type EnvelopeProblem = "not_an_object" | "missing_event" | "data_not_an_object";
export type ParseEventResult =
  | { ok: true; event: CertCentralEvent }
  | { ok: false; problem: EnvelopeProblem };

/** Integers, or strings of digits (tolerated: DigiCert documents numbers, but be lenient on input). */
function asId(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isSafeInteger(value)) return value;
  if (typeof value === "string" && /^\d{1,15}$/.test(value)) return Number(value);
  return undefined;
}

function asChain(value: unknown): ChainCertificate[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const chain: ChainCertificate[] = [];
  for (const item of value) {
    if (!isObject(item) || typeof item.pem !== "string") continue;
    const entry: ChainCertificate = { pem: item.pem };
    if (typeof item.subject_common_name === "string") entry.subject_common_name = item.subject_common_name;
    chain.push(entry);
  }
  return chain;
}

/** Copies `data`, replacing known fields with their typed value or removing them when malformed. */
function typed(data: JsonObject, fields: Fields): JsonObject {
  // A spread then setPrototypeOf keeps a fast shape (Object.assign onto Object.create(null) makes a hash table).
  const out: JsonObject = Object.setPrototypeOf({ ...data }, null);
  for (const key in fields) {
    if (!(key in data)) continue;
    const value = fields[key](data[key]);
    if (value === undefined) delete out[key];
    else out[key] = value;
  }
  return out;
}

type Fields = Record<string, (v: unknown) => unknown>;

const NO_FIELDS: Fields = {};
const ORDER_FIELDS: Fields = { order_id: asId, certificate_id: asId };
const ORGANIZATION_FIELDS: Fields = { organization_id: asId };
const DOMAIN_FIELDS: Fields = { domain_id: asId };

/** The typed `data` fields of each known event, built once, not per delivery. */
const EVENT_FIELDS: Record<KnownEventName, Fields> = {
  test_webhook_endpoint: NO_FIELDS,
  challenge_webhook_endpoint: {
    // Opaque token, a string or a number (the send-challenge page shows it unquoted), kept as the string
    // CertCentral expects back; only surrounding whitespace is trimmed (spec §17 #17).
    token: tokenText,
    webhook_id: asId,
  },
  certificate_issued: { ...ORDER_FIELDS, certificate_chain: asChain },
  certificate_revoked: ORDER_FIELDS,
  order_rejected: ORDER_FIELDS,
  organization_validated: ORGANIZATION_FIELDS,
  organization_expired: ORGANIZATION_FIELDS,
  organization_revalidation_notice: ORGANIZATION_FIELDS,
  domain_validated: DOMAIN_FIELDS,
  domain_expired: DOMAIN_FIELDS,
  domain_revalidation_notice: DOMAIN_FIELDS,
};

export const KNOWN_EVENT_NAMES = Object.keys(EVENT_FIELDS) as readonly KnownEventName[];

/** Validates the envelope and builds the typed event. `value` should come from the receiver's safe parse. */
export function parseEvent(value: unknown): ParseEventResult {
  if (!isObject(value)) return { ok: false, problem: "not_an_object" };
  const name = value.event;
  if (typeof name !== "string" || name.trim() === "") return { ok: false, problem: "missing_event" };
  // `data: null` is read as "no data" rather than refused: refusing a real delivery costs more than it protects.
  const rawData = value.data ?? Object.create(null);
  if (!isObject(rawData)) return { ok: false, problem: "data_not_an_object" };
  return { ok: true, event: toEvent(name, rawData) };
}

function toEvent(name: string, data: JsonObject): CertCentralEvent {
  if (!Object.hasOwn(EVENT_FIELDS, name)) return { type: "unknown", name, data: typed(data, NO_FIELDS) };
  const type = name as KnownEventName;
  return { type, name, data: typed(data, EVENT_FIELDS[type]) } as CertCentralEvent;
}

/**
 * Deeper nesting is refused with a RangeError (the receiver answers 400). The reviver this walk replaced hit
 * V8's stack limit at about 2,600 levels, a depth that also broke JSON.stringify of the event downstream; a
 * fixed cap is deterministic and leaves room for that. Real deliveries nest a handful of levels.
 */
const MAX_JSON_DEPTH = 1000;

/**
 * JSON.parse into null-prototype objects, dropping `__proto__`, `constructor` and `prototype` keys at every
 * depth, so a payload can never reach Object.prototype through later merges. Throws SyntaxError like JSON.parse,
 * and RangeError for nesting deeper than MAX_JSON_DEPTH.
 *
 * A plain JSON.parse first (it defines "__proto__" as an own property, never as the prototype), then one walk
 * that detaches each object from Object.prototype in place: about 3× cheaper than a reviver, which V8 calls for
 * every value, and cheaper than copying into Object.create(null) objects, which V8 keeps as (larger, slower)
 * hash tables; setPrototypeOf on a parsed object keeps its fast shape. Nothing else holds the parsed value yet.
 */
export function safeJsonParse(text: string): unknown {
  return withoutPrototypes(JSON.parse(text), 0);
}

function withoutPrototypes(value: unknown, depth: number): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (depth >= MAX_JSON_DEPTH) throw new RangeError("JSON nested too deeply");
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = withoutPrototypes(value[i], depth + 1);
    return value;
  }
  const object = Object.setPrototypeOf(value, null) as JsonObject;
  for (const key of Object.keys(object)) {
    if (key === "__proto__" || key === "constructor" || key === "prototype") {
      delete object[key];
      continue;
    }
    const item = object[key];
    if (typeof item === "object" && item !== null) object[key] = withoutPrototypes(item, depth + 1);
  }
  return object;
}
