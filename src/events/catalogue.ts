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

/** Events sharing their flags, from name → description, in the order given. */
function group(
  flags: Pick<EventType, "subscribable" | "guessedPayload">,
  descriptions: Record<string, string>,
): EventType[] {
  return Object.entries(descriptions).map(([name, description]) => ({ name, description, ...flags }));
}

export const EVENT_TYPES: readonly EventType[] = [
  ...group(
    { subscribable: true, guessedPayload: false },
    {
      certificate_issued:
        "A certificate was issued (data: order_id, certificate_id, optional certificate_chain).",
      certificate_revoked: "A certificate was revoked (data: order_id, certificate_id).",
      order_rejected: "An order was rejected (data: order_id, certificate_id).",
    },
  ),
  ...group(
    { subscribable: true, guessedPayload: true },
    {
      organization_validated: "Organization validation completed.",
      organization_expired: "An organization validation expired (timed by the notification frequency).",
      organization_revalidation_notice:
        "An organization validation is about to expire (timed by the notification frequency).",
      domain_validated: "Domain control validation (DCV) completed for a domain.",
      domain_expired: "A domain validation expired (timed by the notification frequency).",
      domain_revalidation_notice:
        "A domain validation is about to expire (timed by the notification frequency).",
    },
  ),
  ...group(
    { subscribable: false, guessedPayload: true },
    {
      order_approval_email_sent:
        "Order approval emails were sent (seen only in DigiCert's event-log example).",
    },
  ),
  ...group(
    { subscribable: false, guessedPayload: false },
    {
      test_webhook_endpoint: "The test event sent by `certwh test` / POST /webhook/test-endpoint (no data).",
      challenge_webhook_endpoint: "The verification challenge (data: token, webhook_id), valid 30 minutes.",
    },
  ),
];

/** CertCentral's verification deliveries: sent by test-endpoint and send-challenge, never subscribed to. */
export const HANDSHAKE_EVENTS: ReadonlySet<string> = new Set([
  "test_webhook_endpoint",
  "challenge_webhook_endpoint",
]);

export const SUBSCRIBABLE_EVENTS: readonly string[] = EVENT_TYPES.filter((e) => e.subscribable).map(
  (e) => e.name,
);

/** Allowed members of webhook_notification_frequency (days before expiry; 0 = day of, -7 = after). */
export const NOTIFICATION_FREQUENCIES: readonly number[] = [90, 60, 30, 7, 0, -7];

export function findEventType(name: string): EventType | undefined {
  return EVENT_TYPES.find((e) => e.name === name);
}
