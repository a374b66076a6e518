// Every deliveries route of the inspector in one list: the rows and details, text search, replay, and the
// journal download. Used by listen's inspector and by `certwh inspect` (a journal alone).

import { deliveriesRoutes } from "./deliveries-routes.js";
import type { DeliveriesStore } from "./deliveries-store.js";
import { journalRoute } from "./journal-route.js";
import { type ReplayRouteOptions, replayRoute } from "./replay-route.js";
import type { Route } from "./routes.js";

export interface DeliveriesApiOptions extends Omit<ReplayRouteOptions, "store"> {
  /** The journal file, offered as the download; without one the store's entries are. */
  journalPath?: string;
  /** The page shows a journal alone (`certwh inspect`), not a live session. */
  fromJournal?: boolean;
}

export function deliveriesApi(store: DeliveriesStore, options: DeliveriesApiOptions = {}): Route[] {
  const { journalPath, fromJournal, ...replay } = options;
  const journal = fromJournal ? journalPath : undefined;
  return [
    ...deliveriesRoutes(store, { targets: replay.targets, journal }),
    replayRoute({ store, ...replay }),
    journalRoute(store, journalPath),
  ];
}
