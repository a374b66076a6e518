// certwh/receiver: a CertCentral webhook receiver for node:http, Express or Fastify, with challenge completion.

export type { AddressMatcher } from "../util/cidr.js";
export {
  createAddressMatcher,
  DIGICERT_SOURCE_RANGE,
  isLoopback,
  normalizeAddress,
  parseCidr,
} from "../util/cidr.js";
export type {
  ChallengeCompleter,
  ChallengeCompleterOptions,
  ChallengeIgnoredReason,
  ChallengeResult,
  ChallengeState,
} from "../verification/completer.js";
export {
  CHECK_WINDOW_MS,
  createChallengeCompleter,
  MAX_CHECKS_PER_WINDOW,
  MAX_PENDING_TOKENS,
} from "../verification/completer.js";
export type { ConnectionGate, ConnectionLimits, ConnectionReport } from "./connections.js";
export { attachConnectionGate, DEFAULT_CONNECTION_LIMITS } from "./connections.js";
export type { DedupeOptions } from "./dedupe.js";
export { DEFAULT_DEDUPE } from "./dedupe.js";
export type * from "./events.js";
export { KNOWN_EVENT_NAMES, parseEvent, safeJsonParse } from "./events.js";
export type { RejectReason } from "./guard.js";
export type { Receiver, ReceiverOptions } from "./handler.js";
export { createReceiver, DEFAULT_BODY_TIMEOUT_MS, DEFAULT_MAX_BODY_BYTES } from "./handler.js";
export { MAX_HANDSHAKE_BODY_BYTES } from "./handshake.js";
export type * from "./outcomes.js";
export { randomHookPath } from "./path.js";
export type { ReceiverServer, ServerLimits, ServerOptions } from "./server.js";
export { DEFAULT_LIMITS, startReceiverServer } from "./server.js";
