// The local web inspector of `certwh listen` (see server.ts); features add their API through `routes`.

export { type DeliveriesApiOptions, deliveriesApi, deliveriesRoutes } from "./deliveries-routes.js";
export {
  createDeliveriesStore,
  DETAIL_GONE,
  type DeliveriesStore,
  UNKNOWN_DELIVERY,
} from "./deliveries-store.js";
export { type ConsoleSandbox, sandboxConsoleRoutes } from "./sandbox-console.js";
export { createEventFeed, type Inspector, startInspector } from "./server.js";
