// The deliveries API of the inspector (behind the server's guard), used by listen's inspector and by
// `certwh inspect` (a journal alone):
//   GET /api/deliveries?since=<rev>  the rows changed since a revision (all with 0): the page syncs with it
//   GET /api/deliveries/<id>?key=<row key>  one delivery's detail: headers (the key masked), body, decoded
//                                    chain; with the row's key, as that delivery had them (repeats share an id)
//   GET /api/search?q=<text>&since=<rev>  the keys of the rows (changed since rev) whose event, ids or body
//                                    hold the text
//   GET /api/journal                 the session's journal as a download (application/x-ndjson)
//   POST /api/replay                 replay-route.ts
// The webhook key itself is never held: the journal (and the store) only know whether one was present.

import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import type { ServerResponse } from "node:http";
import { pipeline } from "node:stream/promises";
import { withoutBom } from "../util/without-bom.js";
import { chainOf, decodeChain } from "./chain-decode.js";
import type { DeliveriesStore, DeliveryDetail } from "./deliveries-store.js";
import { type ReplayRouteOptions, replayRoute } from "./replay-route.js";
import { BASE_HEADERS, type Route, sendError, sendJson } from "./routes.js";

/** Journal ids are hex; ids read from a hand-made journal may be any short word. */
const ID = "[A-Za-z0-9_.-]{1,64}";

/** ?since=<revision>: a non-negative integer, else 0 (everything). */
function sinceOf(url: URL): number {
  const since = Number(url.searchParams.get("since") ?? "0");
  return Number.isSafeInteger(since) && since > 0 ? since : 0;
}

function detailView(d: DeliveryDetail) {
  const headers = [
    { name: "Content-Type", value: d.headers["content-type"] },
    { name: "User-Agent", value: d.headers["user-agent"] },
    { name: "X-WEBHOOK-KEY", value: d.key_present ? "•••• (present)" : "(absent)" },
  ].filter((h) => h.value !== undefined);
  let json: unknown = null;
  try {
    json = JSON.parse(withoutBom(d.body));
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
      handle(_req, res, { groups, url }) {
        const id = groups[0] as string;
        const detail = store.detail(id, url.searchParams.get("key") ?? undefined);
        if (!detail) return sendError(res, 404, store.whyNoDetail(id));
        sendJson(res, 200, detailView(detail));
      },
    },
  ];
}

export interface DeliveriesApiOptions extends Omit<ReplayRouteOptions, "store"> {
  /** The journal file, offered as the download; without one the store's entries are. */
  journalPath?: string;
  /** The page shows a journal alone (`certwh inspect`), not a live session. */
  fromJournal?: boolean;
}

/** Every deliveries route in one list: the rows and details, text search, replay, and the journal download. */
export function deliveriesApi(store: DeliveriesStore, options: DeliveriesApiOptions = {}): Route[] {
  const { journalPath, fromJournal, ...replay } = options;
  const journal = fromJournal ? journalPath : undefined;
  return [
    ...deliveriesRoutes(store, { targets: replay.targets, journal }),
    replayRoute({ store, ...replay }),
    journalRoute(store, journalPath),
  ];
}

function downloadHead(res: ServerResponse, size?: number): void {
  res.writeHead(200, {
    ...BASE_HEADERS,
    "Content-Type": "application/x-ndjson",
    "Content-Disposition": 'attachment; filename="certwh-journal.ndjson"',
    ...(size !== undefined ? { "Content-Length": String(size) } : {}),
  });
}

/**
 * GET /api/journal: with a journal file, the file as it is on disk (streamed); without one (--no-journal),
 * the deliveries the store still holds, one journal line each, so `certwh replay --journal` can read either.
 */
function journalRoute(store: DeliveriesStore, journalPath?: string): Route {
  return {
    method: "GET",
    path: "/api/journal",
    async handle(req, res) {
      if (journalPath === undefined) {
        downloadHead(res);
        for (const d of store.details()) res.write(`${JSON.stringify(d)}\n`);
        res.end();
        return;
      }
      const size = await stat(journalPath).then(
        (s) => (s.isFile() ? s.size : undefined),
        () => undefined,
      );
      if (size === undefined) return sendError(res, 404, "The journal file is not there (any more).");
      downloadHead(res, size);
      if (req.method === "HEAD" || size === 0) return void res.end();
      // Only the bytes there when asked: listen may be appending meanwhile. A failed read or a page that
      // went away ends both streams (pipeline destroys each).
      await pipeline(createReadStream(journalPath, { start: 0, end: size - 1 }), res).catch(() => undefined);
    },
  };
}
