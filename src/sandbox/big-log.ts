// The big-logs quirk: 1,000 earlier certificate_issued deliveries with chains (~4 KB each) ahead of the
// real log, so a full event-log page (limit 1000, spec §11) is a few MB of JSON, as CertCentral can send.
// Built once and shared (read-only); never written to the state file.

import { buildEvent, SAMPLE_CERTIFICATE_ID, SAMPLE_ORDER_ID } from "../events/payloads.js";
import { logTime } from "./deliver.js";
import type { EventLogRecord } from "./types.js";

const BIG_LOG_ENTRIES = 1000;
/** One delivery a minute from this instant (UTC). */
const START_MS = Date.UTC(2026, 0, 1);

let cached: readonly EventLogRecord[] | undefined;

export function bigLog(): readonly EventLogRecord[] {
  cached ??= Array.from({ length: BIG_LOG_ENTRIES }, (_, i) => {
    const sent = START_MS + i * 60_000;
    const body = buildEvent("certificate_issued", {
      withChain: true,
      orderId: SAMPLE_ORDER_ID - BIG_LOG_ENTRIES + i,
      certificateId: SAMPLE_CERTIFICATE_ID - BIG_LOG_ENTRIES + i,
    });
    return {
      event_name: body.event,
      event_info: body.data,
      request_status: "success" as const,
      request_sent_time: logTime(sent),
      response_received_time: logTime(sent + 1000),
      response_code: 200,
    };
  });
  return cached;
}
