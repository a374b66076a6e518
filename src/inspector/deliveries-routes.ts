// The deliveries API of the inspector (behind the server's guard):
//   GET /api/deliveries?since=<rev>  the rows changed since a revision (all with 0): the page syncs with it
//   GET /api/deliveries/<id>         one delivery's detail: headers (the key masked), body, decoded chain
//   GET /api/search?q=<text>&since=<rev>  the keys of the rows (changed since rev) whose event, ids or body
//                                    hold the text
// The webhook key itself is never held: the journal (and the store) only know whether one was present.

import type { ServerResponse } from "node:http";
import { chainOf, decodeChain } from "./chain-decode.js";
import type { DeliveriesStore, DeliveryDetail } from "./deliveries-store.js";
import { type Route, sendError, sendJson } from "./routes.js";

export const DETAIL_GONE = "detail no longer in memory; see the journal";

/** Journal ids are hex; ids read from a hand-made journal may be any short word. */
const ID = "[A-Za-z0-9_.-]{1,64}";

/** ?since=<revision>: a non-negative integer, else 0 (everything). */
function sinceOf(url: URL): number {
  const since = Number(url.searchParams.get("since") ?? "0");
  return Number.isSafeInteger(since) && since > 0 ? since : 0;
}

function detailView(d: DeliveryDetail) {
  const headers: { name: string; value: string }[] = [];
  if (d.headers["content-type"] !== undefined)
    headers.push({ name: "Content-Type", value: d.headers["content-type"] });
  if (d.headers["user-agent"] !== undefined)
    headers.push({ name: "User-Agent", value: d.headers["user-agent"] });
  headers.push({ name: "X-WEBHOOK-KEY", value: d.key_present ? "•••• (present)" : "(absent)" });
  let json: unknown = null;
  try {
    json = JSON.parse(d.body);
  } catch {
    // shown raw only
  }
  const chain = chainOf((json as { data?: unknown } | null)?.data);
  return {
    id: d.id,
    event: d.event,
    received_at: d.received_at,
    headers,
    body: d.body,
    json,
    ...(chain ? { chain: decodeChain(chain) } : {}),
  };
}

interface DeliveriesRouteOptions {
  /** listen's --forward-to targets (where a replay goes when no URL is given; the page's curl uses the first). */
  targets?: readonly string[];
  /** `certwh inspect`: the journal the page shows (no live session behind it). */
  journal?: string;
}

export function deliveriesRoutes(store: DeliveriesStore, options: DeliveriesRouteOptions = {}): Route[] {
  const targets = options.targets ?? [];
  return [
    {
      method: "GET",
      path: "/api/deliveries",
      handle(_req, res: ServerResponse, { url }) {
        const page = store.summaries(sinceOf(url));
        sendJson(res, 200, { ...page, targets, ...(options.journal ? { journal: options.journal } : {}) });
      },
    },
    {
      method: "GET",
      path: "/api/search",
      handle(_req, res, { url }) {
        const q = (url.searchParams.get("q") ?? "").slice(0, 200);
        sendJson(res, 200, { keys: q.trim() ? store.search(q.trim(), sinceOf(url)) : [] });
      },
    },
    {
      method: "GET",
      path: new RegExp(`^/api/deliveries/(${ID})$`),
      handle(_req, res, { groups }) {
        const detail = store.detail(groups[0] as string);
        if (!detail) return sendError(res, 404, DETAIL_GONE);
        sendJson(res, 200, detailView(detail));
      },
    },
  ];
}
