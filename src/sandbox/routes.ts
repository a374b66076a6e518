// The webhook part of the Services API under /services/v2 (spec §4–§11), plus the DELETE extension.
// Each handler returns the status and JSON body to answer, or throws SandboxHttpError.

import { buildEvent, SAMPLE_CERTIFICATE_ID, SAMPLE_ORDER_ID } from "../events/payloads.js";
import { logTime } from "./deliver.js";
import type { SandboxEngine } from "./engine.js";
import { ENDPOINT_ERROR_EXACTLY_200, SandboxHttpError } from "./envelope.js";
import { publicView } from "./state.js";
import type { EventLogRecord } from "./types.js";
import { asObject, parseSecret, parseWebhookInput, requireEndpoint } from "./validate.js";

interface RouteRequest {
  id: number;
  body: unknown;
  query: Record<string, string>;
}

interface RouteResult {
  status: number;
  json?: unknown;
}

interface Route {
  /** e.g. "PUT /webhook/:id/activate": the key used by inject() and the request record. */
  key: string;
  method: string;
  pattern: RegExp;
  handle(engine: SandboxEngine, req: RouteRequest): Promise<RouteResult>;
}

const MAX_LOG_LIMIT = 1000;
const BIG_LOG_ENTRIES = 1000;
/** big-logs: one delivery a minute from this instant (UTC). */
const BIG_LOG_START_MS = Date.UTC(2026, 0, 1);

let bigLogCache: readonly EventLogRecord[] | undefined;

/**
 * The big-logs quirk: 1,000 earlier certificate_issued deliveries with chains (~4 KB each) ahead of the
 * real log, so a full event-log page (limit 1000, spec §11) is a few MB of JSON, as CertCentral can send.
 * Built once and shared (read-only); never written to the state file.
 */
function bigLog(): readonly EventLogRecord[] {
  bigLogCache ??= Array.from({ length: BIG_LOG_ENTRIES }, (_, i) => {
    const sent = BIG_LOG_START_MS + i * 60_000;
    const body = buildEvent("certificate_issued", {
      withChain: true,
      orderId: SAMPLE_ORDER_ID - BIG_LOG_ENTRIES + i,
      certificateId: SAMPLE_CERTIFICATE_ID - BIG_LOG_ENTRIES + i,
    });
    return {
      event_name: body.event,
      event_info: body.data,
      request_status: "success" as const,
      request_sent_time: logTime(sent),
      response_received_time: logTime(sent + 1000),
      response_code: 200,
    };
  });
  return bigLogCache;
}

/**
 * 400 webhook_endpoint_error. Under test-exactly-200 the message says so (a 201 failed too), so a client, and
 * certwh's sentence, mention the quirk only when it is on.
 */
function endpointError(engine: SandboxEngine): SandboxHttpError {
  if (!engine.quirks.has("test-exactly-200")) return new SandboxHttpError(400, "webhook_endpoint_error");
  return new SandboxHttpError(400, "webhook_endpoint_error", ENDPOINT_ERROR_EXACTLY_200);
}

async function create(engine: SandboxEngine, req: RouteRequest): Promise<RouteResult> {
  const input = parseWebhookInput(req.body, "create");
  engine.store.assertNone();
  const probe = engine.probeOptions.create && !engine.quirks.has("create-no-probe");
  if (probe && !(await engine.probe(input.endpoint, input.secret))) {
    throw endpointError(engine);
  }
  const hook = engine.store.create(input);
  return { status: 201, json: { webhook_id: hook.id } };
}

async function update(engine: SandboxEngine, req: RouteRequest): Promise<RouteResult> {
  const current = engine.store.require(req.id);
  const input = parseWebhookInput(req.body, "update");
  const secret = input.secret === undefined ? current.secret : input.secret || undefined;
  // handshake-old-key: a probe of an update that changes the secret carries the secret it replaces.
  const previous = secret === current.secret ? current.previousSecret : (current.secret ?? null);
  if (engine.probeOptions.update && !(await engine.probe(input.endpoint, secret, previous))) {
    throw endpointError(engine);
  }
  engine.store.update(req.id, input);
  return { status: 204 };
}

async function testEndpoint(engine: SandboxEngine, req: RouteRequest): Promise<RouteResult> {
  const body = asObject(req.body, "webhook_invalid_endpoint", "an endpoint");
  const endpoint = requireEndpoint(body.endpoint);
  const secret = parseSecret(body.secret === "" ? undefined : body.secret, false);
  const delivery = await engine.test(endpoint, secret);
  if (engine.probeOptions.test && !delivery.ok) throw endpointError(engine);
  // 200 with no body, not 204 (spec §7.4).
  return { status: 200 };
}

/**
 * A paging parameter: absent → `fallback`; else a whole number of at least `min`, or 400 naming it
 * (CertCentral documents no error for these: the code is the sandbox's own). The CLI sends limit 1–1000
 * and offset ≥ 0, so nothing it sends is refused.
 */
function pagingParam(query: Record<string, string>, name: "limit" | "offset", min: number, fallback: number) {
  const value = query[name];
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value)) || Number(value) < min) {
    throw new SandboxHttpError(
      400,
      `invalid_parameter|${name}`,
      `${name} must be a whole number of at least ${min}${name === "limit" ? ` (at most ${MAX_LOG_LIMIT} are returned)` : ""}.`,
    );
  }
  return Number(value);
}

/**
 * `sort=<prop>[,<prop>]`, a `-` prefix descending (spec §2.2), over an entry's own fields; an entry without
 * the field sorts last, and a field no entry has changes nothing (the order stays oldest first).
 */
function bySortParam(sort: string) {
  const keys = sort
    .split(",")
    .map((k) => k.trim())
    .filter(Boolean)
    .map((k) =>
      k.startsWith("-") ? { field: k.slice(1), sign: -1 } : { field: k.replace(/^\+/, ""), sign: 1 },
    );
  return (a: object, b: object): number => {
    for (const { field, sign } of keys) {
      const x = (a as Record<string, unknown>)[field];
      const y = (b as Record<string, unknown>)[field];
      if (x === y) continue;
      if (x === undefined || x === null) return 1;
      if (y === undefined || y === null) return -1;
      return (x < y ? -1 : x > y ? 1 : 0) * sign;
    }
    return 0;
  };
}

function eventLogs(engine: SandboxEngine, query: Record<string, string>): RouteResult {
  // Above the maximum is clamped, as spec §17 #24 chooses.
  const limit = Math.min(pagingParam(query, "limit", 1, MAX_LOG_LIMIT), MAX_LOG_LIMIT);
  const offset = pagingParam(query, "offset", 0, 0);
  const eventName = query["filters[event_name]"];
  const status = query["filters[request_status]"];
  const source = engine.quirks.has("big-logs") ? [...bigLog(), ...engine.store.logs()] : engine.store.logs();
  const all = source.filter(
    (e) =>
      (eventName === undefined || e.event_name === eventName) &&
      (status === undefined || e.request_status === status),
  );
  if (query.sort) all.sort(bySortParam(query.sort));
  return {
    status: 200,
    json: { events: all.slice(offset, offset + limit), page: { total: all.length, limit, offset } },
  };
}

/** GET /webhook (spec §5.2); settings-top-level and settings-booleans give the other readings (§17 #22, #8). */
function listView(engine: SandboxEngine): Record<string, unknown> {
  const view = publicView(engine.store.requireAny());
  if (engine.quirks.has("settings-booleans")) {
    const settings = view.webhook_settings as Record<string, unknown>;
    for (const [key, value] of Object.entries(settings)) {
      if (value === "1" || value === "0") settings[key] = value === "1";
    }
  }
  if (!engine.quirks.has("settings-top-level")) return { webhooks: [view] };
  const { webhook_settings, ...rest } = view;
  return { webhooks: [rest], webhook_settings };
}

/** A route from its key: "PUT /webhook/:id/activate" names the method and the path, `:id` a number. */
function route(key: string, handle: Route["handle"]): Route {
  const [method, path] = key.split(" ") as [string, string];
  return { key, method, pattern: new RegExp(`^${path.replace(":id", "(\\d+)")}$`), handle };
}

/** A handler answering 204 once `act` is done. */
const noContent =
  (act: (engine: SandboxEngine, req: RouteRequest) => unknown): Route["handle"] =>
  async (engine, req) => {
    await act(engine, req);
    return { status: 204 };
  };

const ROUTES: readonly Route[] = [
  route("POST /webhook", create),
  route("GET /webhook", async (engine) => ({ status: 200, json: listView(engine) })),
  route("POST /webhook/test-endpoint", testEndpoint),
  route("GET /webhook/event-logs", async (engine, req) => {
    engine.store.requireAny();
    return eventLogs(engine, req.query);
  }),
  route("PUT /webhook/:id", update),
  route(
    "DELETE /webhook/:id",
    noContent((engine, req) => {
      // Delete is undocumented (spec §14.4): the quirks answer as a CertCentral without it would.
      if (engine.quirks.has("no-delete-404")) throw new SandboxHttpError(404, "not_found|route");
      if (engine.quirks.has("no-delete-405")) {
        throw new SandboxHttpError(405, "method_not_allowed", undefined, { Allow: "PUT" });
      }
      engine.store.remove(req.id);
    }),
  ),
  // No probe: 204 even when the delivery fails; the failure shows in the event log (spec §17 #16).
  route(
    "PUT /webhook/:id/send-challenge",
    noContent((engine, req) => engine.sendChallenge(req.id)),
  ),
  route(
    "PUT /webhook/:id/check-challenge",
    noContent((engine, req) => {
      engine.store.require(req.id);
      const body = asObject(req.body, "webhook_invalid_token", "a token");
      engine.store.checkToken(req.id, body.token);
    }),
  ),
  route(
    "PUT /webhook/:id/activate",
    noContent((engine, req) => engine.store.activate(req.id)),
  ),
  route(
    "PUT /webhook/:id/deactivate",
    noContent((engine, req) => engine.store.deactivate(req.id)),
  ),
  route("GET /webhook/:id/event-logs", async (engine, req) => {
    engine.store.require(req.id);
    return eventLogs(engine, req.query);
  }),
];

export const ROUTE_KEYS: readonly string[] = ROUTES.map((r) => r.key);

/** The methods some route serves at this path (relative to /services/v2), for 405's Allow. */
export function allowedMethods(path: string): string[] {
  return [...new Set(ROUTES.filter((r) => r.pattern.test(path)).map((r) => r.method))];
}

/** The route for a method and a path relative to /services/v2, with its numeric id (0 when none). */
export function matchRoute(method: string, path: string): { route: Route; id: number } | null {
  for (const route of ROUTES) {
    if (route.method !== method) continue;
    const m = route.pattern.exec(path);
    if (m) return { route, id: m[1] ? Number(m[1]) : 0 };
  }
  return null;
}
