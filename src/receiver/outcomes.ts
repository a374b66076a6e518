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
  /** The same body arrived before, within the repeat window: when it first did (clock time). Passed on
   * anyway unless the receiver drops repeats (`dedupe: { drop: true }`). Never set on test events. */
  repeatOf?: { firstReceivedAt: number };
  /**
   * Set when a handshake delivery (test or challenge) was accepted without the current X-WEBHOOK-KEY because
   * a verification was under way (`handshakeOpen`): `missing` (no key) or `previous` (the previous secret).
   */
  handshakeKey?: "missing" | "previous";
}

/** Handed to `onAccept` before the 200 is sent. */
export interface AcceptedDelivery extends DeliveryInfo {
  event: CertCentralEvent;
  /** False for event names certwh does not know (accepted for forward compatibility). */
  known: boolean;
  /** The raw body bytes exactly as received (for a forward). */
  body: Buffer;
  /** The same body as text: valid UTF-8 (else it was refused), decoded once, a leading BOM kept (for a journal;
   * `payload` was parsed without it). */
  text: string;
  /** The parsed body (null-prototype objects, prototype keys dropped). */
  payload: JsonObject;
  /** Content-Type and User-Agent as received (for a journal or a forward). Never X-WEBHOOK-KEY. */
  headers: { "content-type"?: string; "user-agent"?: string };
}

/**
 * What `onAccept` returns to refuse a delivery it cannot take now (e.g. nowhere to keep it): the answer is
 * 503, so the sender keeps it and retries, and its delivery log shows the failure.
 */
export interface AcceptRefusal {
  status: 503;
  /** A fixed word for logs (never request data), e.g. `forward_queue_full`. */
  detail: string;
  /** Sent as Retry-After. */
  retryAfterSeconds?: number;
}

export type ReceiverOutcome =
  | { type: "accepted"; event: CertCentralEvent; known: boolean; delivery: DeliveryInfo }
  /** With `dedupe: { drop: true }` only: same body as an earlier acknowledged delivery within the TTL,
   * answered 200 and not processed again. */
  | { type: "duplicate"; event: CertCentralEvent; delivery: DeliveryInfo }
  | {
      type: "rejected";
      /** The status answered; 0 when nothing was (reason `aborted`: the client went away mid-body). */
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
  /** Repeats dropped (`dedupe: { drop: true }`). */
  duplicates: number;
  /** Repeats accepted and marked (the default). */
  repeats: number;
  /** Handshake deliveries accepted without the current key while a verification was under way. */
  handshakesWithoutKey: number;
  unknownEvents: number;
  rejected: number;
  rejectedByReason: Partial<Record<RejectReason, number>>;
  /** Requests currently being handled. */
  inFlight: number;
}
