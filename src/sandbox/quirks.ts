// Quirk profiles (spec §17): where DigiCert's pages allow more than one reading, the sandbox implements
// the documented or most likely one by default, and each quirk switches one behaviour to the other
// reading. The behaviour switches live where the sandbox acts (deliver, engine, state, routes); this
// module only names, checks and holds them.

export const SANDBOX_QUIRKS = [
  {
    name: "no-content-type",
    description: "Deliveries (probes, tests, challenges, events) carry no Content-Type header.",
    default: "Content-Type: application/json",
  },
  {
    name: "text-plain",
    description: "Deliveries are sent with Content-Type: text/plain (the body is still JSON).",
    default: "Content-Type: application/json",
  },
  {
    name: "handshake-no-key",
    description: "Probes, test events and challenges carry no X-WEBHOOK-KEY, even when a secret is set.",
    default: "the secret is sent on handshake deliveries as on events",
  },
  {
    name: "handshake-old-key",
    description:
      "After an update that changes the secret, probes, test events and challenges carry the previous secret (none if there was none).",
    default: "handshake deliveries carry the current secret",
  },
  {
    name: "numeric-token",
    description:
      "The challenge's data.token is a JSON number (9 digits); check-challenge takes it back as its decimal string (or the number).",
    default: "data.token is a string of 32 URL-safe characters",
  },
  {
    name: "older-tokens",
    description: "check-challenge accepts every unexpired token of the webhook, not only the latest.",
    default: "only the latest token is valid",
  },
  {
    name: "create-no-probe",
    description: "Create does not probe the endpoint.",
    default: "create probes the endpoint (webhook_endpoint_error when it does not answer 2xx)",
  },
  {
    name: "update-stays-active",
    description:
      "An update with a new endpoint keeps the status and verification (an active webhook stays active; open tokens are void).",
    default: "a new endpoint makes the webhook pending and unverified",
  },
  {
    name: "activate-active-400",
    description: "Activate on an active webhook answers 400 webhook_invalid_action.",
    default: "204, no change",
  },
  {
    name: "deactivate-pending-204",
    description: "Deactivate on a pending webhook answers 204 and leaves it pending.",
    default: "400 webhook_invalid_action",
  },
  {
    name: "test-required",
    description:
      "Activate needs a successful test event (POST /webhook/test-endpoint) to the current endpoint since it was set, else 400 webhook_invalid_action.",
    default: "no test needed",
  },
  {
    name: "settings-top-level",
    description: "GET /webhook puts webhook_settings at the top level of the answer, beside webhooks.",
    default: "webhook_settings inside the webhook object",
  },
  {
    name: "settings-booleans",
    description: "GET /webhook returns the webhook_settings flags as JSON booleans.",
    default: 'flags returned as "1"/"0"',
  },
  {
    name: "frequency-no-0",
    description: "A create without webhook_notification_frequency stores [90,60,30,7,-7].",
    default: "[90,60,30,7,0,-7]",
  },
  {
    name: "test-exactly-200",
    description:
      "The test event and the probes accept only 200, as the test-endpoint page asks; a 201 or 204 is webhook_endpoint_error.",
    default: "any 2xx (spec §17 #16)",
  },
  {
    name: "repeat-deliveries",
    description: "Every event (not test or challenge) is delivered twice with the identical body.",
    default: "one POST per event",
  },
  {
    name: "big-logs",
    description:
      "The event log starts with 1,000 certificate_issued entries with chains (~4 KB each), so a full page is a few MB.",
    default: "the log holds only real deliveries",
  },
  {
    name: "logs-events-only",
    description: "The event log records only real events, not test events or challenges.",
    default: "test events to the webhook's endpoint and challenges are logged too",
  },
  {
    name: "no-delete-404",
    description: "DELETE /webhook/{id} answers 404 not_found|route (no delete, as documented).",
    default: "DELETE is a sandbox extension answering 204",
  },
  {
    name: "no-delete-405",
    description: "DELETE /webhook/{id} answers 405 method_not_allowed with Allow: PUT.",
    default: "DELETE is a sandbox extension answering 204",
  },
] as const satisfies readonly { name: string; description: string; default: string }[];

export type SandboxQuirk = (typeof SANDBOX_QUIRKS)[number]["name"];

const NAMES: readonly string[] = SANDBOX_QUIRKS.map((q) => q.name);

/** Pairs that switch the same behaviour two ways. */
const CONFLICTS: readonly [SandboxQuirk, SandboxQuirk][] = [
  ["no-content-type", "text-plain"],
  ["handshake-no-key", "handshake-old-key"],
  ["no-delete-404", "no-delete-405"],
];

/** Checks a list of quirk names (any order, repeats dropped); throws naming the first bad one. */
function checkQuirks(list: readonly unknown[]): SandboxQuirk[] {
  for (const item of list) {
    if (typeof item !== "string" || !NAMES.includes(item)) {
      throw new Error(`Unknown sandbox quirk "${String(item)}"; valid quirks: ${NAMES.join(", ")}`);
    }
  }
  const out = [...new Set(list as SandboxQuirk[])];
  for (const [a, b] of CONFLICTS) {
    if (out.includes(a) && out.includes(b)) {
      throw new Error(`Sandbox quirks "${a}" and "${b}" cannot be combined.`);
    }
  }
  return out;
}

/** "a, b,c" → ["a", "b", "c"] (empty text → []); throws on an unknown or conflicting quirk. */
export function parseQuirks(text: string): SandboxQuirk[] {
  const parts = text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  return checkQuirks(parts);
}

/** The quirks in effect, shared by the engine, the store and the routes; changed at run time by the admin API. */
export class QuirkSet {
  private active: SandboxQuirk[] = [];

  constructor(initial: readonly unknown[] = []) {
    this.set(initial);
  }

  has(quirk: SandboxQuirk): boolean {
    return this.active.includes(quirk);
  }

  list(): SandboxQuirk[] {
    return [...this.active];
  }

  /** Replaces the whole set (checked first: on error nothing changes). */
  set(list: readonly unknown[]): void {
    this.active = checkQuirks(list);
  }
}
