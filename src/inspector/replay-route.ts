// POST /api/replay {ids: [...], to?: "http(s)://…", with_key?: true}: sends each delivery's kept body again,
// the way `certwh replay` does (listen's forwarder, one attempt, one at a time, content-type + user-agent +
// the webhook key), to `to` or else to every forward target. The key is held here only: the page never sees
// it. A typed `to` on another origin than the forward targets gets the key only with `with_key` (as
// `certwh test --url --with-secret`): a typed URL may be a request bin. The answer has one result per id and
// target ({id, url, status?, ok, ms, error?, response_body?}) and `key_sent`.

import type { IncomingMessage, ServerResponse } from "node:http";
import { createForwarder, type ForwardResult } from "../listen/forward.js";
import { skipsVerify } from "../listen/forward-targets.js";
import { userAgent } from "../util/version.js";
import type { DeliveriesStore, DeliveryDetail } from "./deliveries-store.js";
import { type Route, readJsonBody, sendError, sendJson } from "./routes.js";

/** At most this many ids per request (each is one request per target, one after the other). */
const REPLAY_MAX_IDS = 500;
/** A replay stops starting new sends after this long (a slow app must not hold the page's request for hours). */
const REPLAY_BUDGET_MS = 60_000;
export const OVER_BUDGET = `not sent: the replay ran over ${REPLAY_BUDGET_MS / 1000} s; replay the rest again`;

export interface ReplayRouteOptions {
  store: DeliveriesStore;
  /** Where a replay goes without `to`: listen's --forward-to targets. */
  targets?: readonly string[];
  /** The webhook secret sent as X-WEBHOOK-KEY (listen's own); never in an answer. */
  secret?: string;
  /** listen's --skip-verify: for a target on this computer only, as listen's own forwards. */
  skipVerify?: boolean;
  /** Per request (default 10 s). */
  timeoutMs?: number;
  /** Default REPLAY_BUDGET_MS (tests shorten it). */
  budgetMs?: number;
}

interface ReplayResult {
  id: string;
  url?: string;
  ok: boolean;
  status?: number;
  ms: number;
  error?: string;
  response_body?: string;
}

/** The `to` given: an http or https URL without credentials, else a sentence saying why not. */
function checkReplayUrl(to: unknown): URL | string {
  if (typeof to !== "string" || to.length > 2048) return "`to` must be an http:// or https:// URL.";
  const url = URL.parse(to);
  if (!url) return "`to` is not a URL: give an http:// or https:// address.";
  if (url.protocol !== "http:" && url.protocol !== "https:")
    return `\`to\` must be an http:// or https:// URL, not ${url.protocol}`;
  if (url.username || url.password) return "`to` must not hold a user name or password.";
  return url;
}

function parseIds(value: unknown): string[] | string {
  if (!Array.isArray(value) || value.length === 0) return "`ids` must be a non-empty list of delivery ids.";
  if (value.length > REPLAY_MAX_IDS) return `At most ${REPLAY_MAX_IDS} deliveries at a time.`;
  if (!value.every((v) => typeof v === "string" && v.length > 0 && v.length <= 64))
    return "`ids` must hold delivery ids (strings).";
  return [...new Set(value as string[])];
}

/** Sends the deliveries to one URL, one at a time, until `deadline`; one result per delivery, in order. */
async function sendAll(
  url: string,
  details: DeliveryDetail[],
  o: ReplayRouteOptions,
  deadline: number,
  secret: string | undefined,
): Promise<ReplayResult[]> {
  const finals = new Map<string, (r: ForwardResult) => void>();
  const forwarder = createForwarder({
    url,
    maxAttempts: 1,
    attemptCeiling: 1,
    concurrency: 1,
    queueLimit: details.length,
    timeoutMs: o.timeoutMs,
    skipVerify: skipsVerify(url, o.skipVerify),
    noticeUnfinished: false,
    onResult: (r) => {
      if (r.final) finals.get(r.id)?.(r);
    },
  });
  const headers = {
    "content-type": "application/json",
    "user-agent": userAgent(),
    ...(secret !== undefined ? { "x-webhook-key": secret } : {}),
  };
  try {
    const results: ReplayResult[] = [];
    for (const d of details) {
      if (Date.now() > deadline) {
        results.push({ id: d.id, url, ok: false, ms: 0, error: OVER_BUDGET });
        continue;
      }
      const done = new Promise<ForwardResult>((resolve) => finals.set(d.id, resolve));
      forwarder.enqueue({ id: d.id, event: d.event, body: Buffer.from(d.body, "utf8"), headers });
      const r = await done;
      // Fields left undefined are left out of the JSON answer.
      const { ok, ms, status, error } = r;
      results.push({ id: d.id, url: r.url, ok, ms, status, error, response_body: r.responseBody });
    }
    return results;
  } finally {
    await forwarder.close();
  }
}

export function replayRoute(options: ReplayRouteOptions): Route {
  return {
    method: "POST",
    path: "/api/replay",
    async handle(req: IncomingMessage, res: ServerResponse) {
      const read = await readJsonBody(req, res);
      if (!read) return;
      const body = (read.value ?? {}) as { ids?: unknown; to?: unknown; with_key?: unknown };
      const ids = parseIds(body?.ids);
      if (typeof ids === "string") return sendError(res, 400, ids);
      let urls: string[];
      let keyAllowed = true;
      if (body.to !== undefined) {
        const to = checkReplayUrl(body.to);
        if (typeof to === "string") return sendError(res, 400, to);
        urls = [to.href];
        const targetOrigins = (options.targets ?? []).map((t) => URL.parse(t)?.origin);
        keyAllowed = body.with_key === true || targetOrigins.includes(to.origin);
      } else urls = [...(options.targets ?? [])];
      const secret = keyAllowed ? options.secret : undefined;
      if (urls.length === 0)
        return sendError(
          res,
          400,
          "No replay target: type the URL to replay to (neither listen's --forward-to nor inspect's --to was given).",
        );

      const results: ReplayResult[] = [];
      const found: DeliveryDetail[] = [];
      for (const id of ids) {
        const detail = options.store.detail(id);
        if (detail) found.push(detail);
        else results.push({ id, ok: false, ms: 0, error: options.store.whyNoDetail(id) });
      }
      const deadline = Date.now() + (options.budgetMs ?? REPLAY_BUDGET_MS);
      for (const url of urls)
        if (found.length > 0) results.push(...(await sendAll(url, found, options, deadline, secret)));
      sendJson(res, 200, { results, key_sent: secret !== undefined });
    },
  };
}
