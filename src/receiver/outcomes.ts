// What the receiver reports. Library code never prints: callers subscribe and render (listen turns these into
// stderr lines or NDJSON). No outcome carries the request body, header values or the key.
import type { ChallengeResult } from "../verification/completer.js";
import type { CertCentralEvent, JsonObject } from "./events.js";
import type { RejectReason } from "./guard.js";

export interface DeliveryInfo {
  /** Clock time when the request reached the handler. */
  receivedAt: number;
  /** The socket peer (after a tunnel this is loopback). */
  remoteAddress?: string;
  bodyBytes: number;
  /** Hex SHA-256 of the raw body: the de-duplication key. */
  digest: string;
}

/** Handed to `onAccept` before the 200 is sent. */
export interface AcceptedDelivery extends DeliveryInfo {
  event: CertCentralEvent;
  /** False for event names certwh does not know (accepted for forward compatibility). */
  known: boolean;
  /** The raw body bytes exactly as received (for a forward). */
  body: Buffer;
  /** The same body as text: valid UTF-8 (else it was refused), decoded once, a BOM kept (for a journal). */
  text: string;
  /** The parsed body (null-prototype objects, prototype keys dropped). */
  payload: JsonObject;
  /** Content-Type and User-Agent as received (for a journal or a forward). Never X-WEBHOOK-KEY. */
  headers: { "content-type"?: string; "user-agent"?: string };
}

export type ReceiverOutcome =
  | { type: "accepted"; event: CertCentralEvent; known: boolean; delivery: DeliveryInfo }
  /** Same body as an earlier acknowledged delivery within the TTL: answered 200, not processed again. */
  | { type: "duplicate"; event: CertCentralEvent; delivery: DeliveryInfo }
  | {
      type: "rejected";
      status: number;
      reason: RejectReason;
      /** A fixed word, never request data (e.g. `missing`, `mismatch`, `repeated`, `invalid_json`). */
      detail?: string;
      receivedAt: number;
      remoteAddress?: string;
      /** Bytes of body read before deciding (0 when refused before reading). */
      bodyBytes: number;
      /** First 12 hex digits of the body's SHA-256, when the whole body was read. */
      digestPrefix?: string;
    }
  /** An accepted challenge delivery (also reported as `accepted`). */
  | { type: "challenge"; token?: string; webhookId?: number; delivery: DeliveryInfo }
  /** Progress of the receiver's own challenge completer (`challenge` option). */
  | { type: "challenge_result"; result: ChallengeResult };

export type OutcomeType = ReceiverOutcome["type"];
export type OutcomeOf<T extends OutcomeType> = Extract<ReceiverOutcome, { type: T }>;

export interface ReceiverStats {
  requests: number;
  accepted: number;
  duplicates: number;
  unknownEvents: number;
  rejected: number;
  rejectedByReason: Partial<Record<RejectReason, number>>;
  /** Requests currently being handled. */
  inFlight: number;
}
