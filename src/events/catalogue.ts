// CertCentral's event names (spec §12), shared by event-types, create/update-url validation,
// trigger and the sandbox. Payload builders live in src/events/payloads.ts.

export interface EventType {
  name: string;
  description: string;
  /** Can be listed in a webhook's `events`. */
  subscribable: boolean;
  /** The `data` fields are not documented by DigiCert: certwh's payload is a guess (spec §17 #4, #5). */
  guessedPayload: boolean;
}

export const EVENT_TYPES: readonly EventType[] = [
  {
    name: "certificate_issued",
    description: "A certificate was issued (data: order_id, certificate_id, optional certificate_chain).",
    subscribable: true,
    guessedPayload: false,
  },
  {
    name: "certificate_revoked",
    description: "A certificate was revoked (data: order_id, certificate_id).",
    subscribable: true,
    guessedPayload: false,
  },
  {
    name: "order_rejected",
    description: "An order was rejected (data: order_id, certificate_id).",
    subscribable: true,
    guessedPayload: false,
  },
  {
    name: "organization_validated",
    description: "Organization validation completed.",
    subscribable: true,
    guessedPayload: true,
  },
  {
    name: "organization_expired",
    description: "An organization validation expired (timed by the notification frequency).",
    subscribable: true,
    guessedPayload: true,
  },
  {
    name: "organization_revalidation_notice",
    description: "An organization validation is about to expire (timed by the notification frequency).",
    subscribable: true,
    guessedPayload: true,
  },
  {
    name: "domain_validated",
    description: "Domain control validation (DCV) completed for a domain.",
    subscribable: true,
    guessedPayload: true,
  },
  {
    name: "domain_expired",
    description: "A domain validation expired (timed by the notification frequency).",
    subscribable: true,
    guessedPayload: true,
  },
  {
    name: "domain_revalidation_notice",
    description: "A domain validation is about to expire (timed by the notification frequency).",
    subscribable: true,
    guessedPayload: true,
  },
  {
    name: "order_approval_email_sent",
    description: "Order approval emails were sent (seen only in DigiCert's event-log example).",
    subscribable: false,
    guessedPayload: true,
  },
  {
    name: "test_webhook_endpoint",
    description: "The test event sent by `certwh test` / POST /webhook/test-endpoint (no data).",
    subscribable: false,
    guessedPayload: false,
  },
  {
    name: "challenge_webhook_endpoint",
    description: "The verification challenge (data: token, webhook_id), valid 30 minutes.",
    subscribable: false,
    guessedPayload: false,
  },
];

export const SUBSCRIBABLE_EVENTS: readonly string[] = EVENT_TYPES.filter((e) => e.subscribable).map(
  (e) => e.name,
);

/** Allowed members of webhook_notification_frequency (days before expiry; 0 = day of, -7 = after). */
export const NOTIFICATION_FREQUENCIES: readonly number[] = [90, 60, 30, 7, 0, -7];

export function findEventType(name: string): EventType | undefined {
  return EVENT_TYPES.find((e) => e.name === name);
}

/** The known event name nearest to a misspelt one (edit distance at most 3), for "did you mean". */
export function closestEventName(name: string): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const e of EVENT_TYPES) {
    const d = editDistance(name, e.name);
    if (d <= 3 && (!best || d < best.distance)) best = { name: e.name, distance: d };
  }
  return best?.name;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = row;
  }
  return previous[b.length];
}
