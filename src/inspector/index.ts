// The local web inspector of `certwh listen` (see server.ts); features add their API through `routes`.
export { createEventFeed, type EventFeed } from "./feed.js";
export { BodyError, type Route, readJsonBody, sendError, sendJson } from "./routes.js";
export { type ConsoleSandbox, sandboxConsoleRoutes } from "./sandbox-console.js";
export { type Inspector, type InspectorOptions, type Pane, startInspector } from "./server.js";
