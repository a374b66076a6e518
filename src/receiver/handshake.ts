// What a handshake delivery excused from the key (handshakeOpen) may be: no more than CertCentral's own
// test and challenge bodies (spec §12: {"event":"test_webhook_endpoint"} and
// {"event":"challenge_webhook_endpoint","data":{"token":…,"webhook_id":…}}). Without the key anyone can send
// one, so anything larger or of another shape is refused like any unauthenticated request: it never
// reaches onAccept (a journal, a disk).
import { isObject } from "../util/is-object.js";

/** A real handshake body is about 100 bytes; this leaves room for a long token and extra whitespace. */
export const MAX_HANDSHAKE_BODY_BYTES = 2048;

/** The `data` keys each handshake may carry. */
const HANDSHAKE_DATA_KEYS: Record<string, readonly string[]> = {
  test_webhook_endpoint: [],
  challenge_webhook_endpoint: ["token", "webhook_id"],
};

const isScalar = (value: unknown) => typeof value === "string" || typeof value === "number";

/** Whether a parsed body has exactly a handshake's shape: `event`, and `data` with only its own fields. */
export function hasHandshakeShape(payload: unknown): boolean {
  if (!isObject(payload) || typeof payload.event !== "string") return false;
  const allowed = HANDSHAKE_DATA_KEYS[payload.event];
  if (!allowed || !Object.keys(payload).every((k) => k === "event" || k === "data")) return false;
  if (payload.data === undefined) return true;
  if (!isObject(payload.data)) return false;
  return Object.entries(payload.data).every(([key, value]) => allowed.includes(key) && isScalar(value));
}
