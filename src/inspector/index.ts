// The local web inspector of `certwh listen` (see server.ts); features add their API through `routes`.

export { type DeliveriesApiOptions, deliveriesApi } from "./deliveries-api.js";
export { DETAIL_GONE, deliveriesRoutes } from "./deliveries-routes.js";
export { createDeliveriesStore, type DeliveriesStore } from "./deliveries-store.js";
export { createEventFeed } from "./feed.js";
export { type ConsoleSandbox, sandboxConsoleRoutes } from "./sandbox-console.js";
export { type Inspector, startInspector } from "./server.js";
