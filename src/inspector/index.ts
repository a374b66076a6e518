// The local web inspector of `certwh listen` (see server.ts).
export { createEventFeed, type EventFeed } from "./feed.js";
export { type Inspector, type InspectorOptions, startInspector } from "./server.js";
