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
}

export function deliveriesApi(store: DeliveriesStore, options: DeliveriesApiOptions = {}): Route[] {
  const { journalPath, ...replay } = options;
  return [
    ...deliveriesRoutes(store, { targets: replay.targets }),
    replayRoute({ store, ...replay }),
    journalRoute(store, journalPath),
  ];
}
