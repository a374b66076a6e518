// Package entry: the parts of certwh usable as a library.
export * from "./api/errors.js";
export type * from "./api/types.js";
// The webhook client, the production receiver and the sandbox (also at certwh/receiver and certwh/sandbox).
export { createWebhookApi, isAmbiguousFailure } from "./api/webhooks.js";
export * from "./errors.js";
export * from "./events/catalogue.js";
export * from "./receiver/index.js";
export type { Sandbox, SandboxOptions, SandboxWebhook } from "./sandbox/index.js";
export { startSandbox, TOKEN_TTL_MS } from "./sandbox/index.js";
