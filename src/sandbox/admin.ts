// Sandbox-only admin routes, for `certwh trigger --sandbox-url` and for inspecting or scripting a
// sandbox that runs in another process. Same X-DC-DEVKEY as the API; not rate limited, not recorded,
// never subject to injected faults.
//
//   POST /sandbox/v1/emit        {"event": "...", "data": {...}?}
//        → 200 {"delivered": true, "delivery": {url, event, status, ok, duration_ms, error?},
//               "certificate_chain": bool (certificate_issued only: the webhook's chain settings decide)}
//        → 200 {"delivered": false, "code": "not_active", "reason": "the webhook is pending, not active"}
//          (code: no_webhook, not_active or not_subscribed)
//   GET  /sandbox/v1/state       → 200 {"webhook": {...list view, "verified": bool, "open_tokens": n} | null}
//   GET  /sandbox/v1/deliveries  → 200 {"deliveries": [{kind, url, sent_to, event, body, header_names, status, ok, error}]}
//   POST /sandbox/v1/faults      {"route": "PUT /webhook/:id/send-challenge", "faults": [{"status": 503}, …]} → 204
//        (400 bad_request_format naming the first malformed fault, and then none is queued)
//   POST /sandbox/v1/release-challenges → 204 (delivers challenges held back)
//   GET  /sandbox/v1/quirks      → 200 {"quirks": [...], "available": [{name, description, default}]}
//   PUT  /sandbox/v1/quirks      {"quirks": ["numeric-token", …]} → 200 {"quirks": [...]} (replaces the set;
//        400 bad_request_format naming an unknown or conflicting quirk, and then nothing changes)
//   HEAD is answered as GET; a known path asked with another method → 405 method_not_allowed with Allow.

import type { IncomingMessage, ServerResponse } from "node:http";
import { readBody } from "./body.js";
import type { SandboxEngine } from "./engine.js";
import { envelope } from "./envelope.js";
import type { FaultQueue } from "./faults.js";
import { SANDBOX_QUIRKS } from "./quirks.js";
import { sendJson } from "./send.js";
import { bodyProblem, keyMatches } from "./server.js";
import { publicView } from "./state.js";
import type { Delivery } from "./types.js";

interface AdminDeps {
  engine: SandboxEngine;
  faults: FaultQueue;
  apiKey: string;
}

function deliverySummary(d: Delivery): Record<string, unknown> {
  return {
    kind: d.kind,
    url: d.url,
    sent_to: d.sentTo,
    event: d.event,
    status: d.status ?? null,
    ok: d.ok,
    ...(d.durationMs !== undefined ? { duration_ms: d.durationMs } : {}),
    ...(d.error ? { error: d.error } : {}),
  };
}

/** Every admin route, as "METHOD /path" under /sandbox/v1. */
const ADMIN_ROUTES = [
  "POST /emit",
  "GET /state",
  "GET /deliveries",
  "POST /faults",
  "POST /release-challenges",
  "GET /quirks",
  "PUT /quirks",
];

/**
 * As the API routes answer (server.ts notServed): 405 with Allow for a known path asked with another method
 * (HEAD is allowed wherever GET is), 404 for a path there is no admin route at.
 */
function notServed(
  method: string,
  path: string,
): { status: number; body: string; headers?: Record<string, string> } {
  const allowed = ADMIN_ROUTES.filter((r) => r.endsWith(` ${path}`)).map((r) => r.split(" ")[0] as string);
  if (allowed.length === 0) return { status: 404, body: envelope("not_found|route") };
  const allow = (allowed.includes("GET") ? [...allowed, "HEAD"] : allowed).join(", ");
  const message = `${method} is not allowed here; this path takes ${allow}.`;
  return { status: 405, body: envelope("method_not_allowed", message), headers: { Allow: allow } };
}

export function createAdmin(deps: AdminDeps) {
  return async (req: IncomingMessage, res: ServerResponse, path: string): Promise<void> => {
    const asked = (req.method ?? "GET").toUpperCase();
    // HEAD is answered as GET; Node sends the head only.
    const method = asked === "HEAD" ? "GET" : asked;
    const body = await readBody(req);
    if (body.kind === "aborted") return;
    if (!keyMatches(req.headers["x-dc-devkey"], deps.apiKey)) {
      return sendJson(res, 401, envelope("access_denied|invalid_api_key"));
    }
    const route = `${method} ${path}`;
    if (!ADMIN_ROUTES.includes(route)) {
      const answer = notServed(asked, path);
      return sendJson(res, answer.status, answer.body, answer.headers);
    }
    const badRequest = (message?: string) => sendJson(res, 400, envelope("bad_request_format", message));
    const problem = bodyProblem(body);
    if (problem) return sendJson(res, problem.status, envelope(problem.code, problem.message));
    const value = body.kind === "json" ? body.value : undefined;
    if (value !== undefined && (typeof value !== "object" || value === null || Array.isArray(value)))
      return badRequest("The request body must be a JSON object.");
    const input = (value ?? {}) as Record<string, unknown>;

    if (route === "POST /emit") {
      if (typeof input.event !== "string" || input.event === "")
        return badRequest("event must be a non-empty string.");
      const data =
        input.data && typeof input.data === "object" ? (input.data as Record<string, unknown>) : undefined;
      const outcome = await deps.engine.emit(input.event, data);
      return sendJson(
        res,
        200,
        outcome.delivery
          ? {
              delivered: true,
              delivery: deliverySummary(outcome.delivery),
              ...(outcome.chainIncluded !== undefined ? { certificate_chain: outcome.chainIncluded } : {}),
            }
          : { delivered: false, code: outcome.code, reason: outcome.reason },
      );
    }
    if (route === "GET /state") {
      const hook = deps.engine.store.current();
      return sendJson(res, 200, {
        webhook: hook
          ? { ...publicView(hook), verified: hook.verified, open_tokens: hook.tokens.length }
          : null,
      });
    }
    if (route === "GET /deliveries") {
      return sendJson(res, 200, {
        deliveries: deps.engine.deliveries.map((d) => ({
          ...deliverySummary(d),
          body: d.body,
          header_names: Object.keys(d.headers),
        })),
      });
    }
    if (route === "POST /faults") {
      if (typeof input.route !== "string") return badRequest('route must be a string, e.g. "GET /webhook".');
      if (!Array.isArray(input.faults) || input.faults.length === 0)
        return badRequest("faults must be a non-empty list of faults.");
      try {
        deps.faults.add(input.route, input.faults);
      } catch (err) {
        return badRequest((err as Error).message);
      }
      return sendJson(res, 204);
    }
    if (route === "GET /quirks") {
      return sendJson(res, 200, { quirks: deps.engine.quirks.list(), available: SANDBOX_QUIRKS });
    }
    if (route === "PUT /quirks") {
      if (!Array.isArray(input.quirks)) return badRequest("quirks must be an array of quirk names.");
      try {
        deps.engine.quirks.set(input.quirks);
      } catch (err) {
        return badRequest((err as Error).message);
      }
      return sendJson(res, 200, { quirks: deps.engine.quirks.list() });
    }
    if (route === "POST /release-challenges") {
      await deps.engine.releaseChallenges();
      return sendJson(res, 204);
    }
    return sendJson(res, 404, envelope("not_found|route")); // an ADMIN_ROUTES entry with no branch above
  };
}
