// The local web inspector of `certwh listen` (see server.ts); features add their API through `routes`.

export { type DecodedCertificate, decodeChain } from "./chain-decode.js";
export { type DeliveriesApiOptions, deliveriesApi } from "./deliveries-api.js";
export { DETAIL_GONE, deliveriesRoutes } from "./deliveries-routes.js";
export { createDeliveriesStore, type DeliveriesStore, type DeliverySummary } from "./deliveries-store.js";
export { createEventFeed, type EventFeed } from "./feed.js";
export { checkReplayUrl, REPLAY_MAX_IDS } from "./replay-route.js";
export { BodyError, type Route, readJsonBody, sendError, sendJson } from "./routes.js";
export { type ConsoleSandbox, sandboxConsoleRoutes } from "./sandbox-console.js";
export { type Inspector, type InspectorOptions, type Pane, startInspector } from "./server.js";
