// The one judge of challenge tokens, for listen's token queue and the receiver library's completer alike.
// A token is used only while a challenge of ours is under way (one we did not ask for may be forged or
// stale), only when data.webhook_id names our webhook, and only once: each token reaches check-challenge at
// most once per run (reliability-checklist items 10–11).

export type TokenIgnoredReason =
  /** No challenge is under way here: possibly forged or stale. */
  | "unexpected"
  /** data.webhook_id is missing or names another webhook. */
  | "webhook_mismatch"
  | "no_token"
  /** This token was already taken (each token goes to check-challenge at most once). */
  | "token_seen";

type TokenVerdict = { taken: true; token: string } | { taken: false; reason: TokenIgnoredReason };

/** The challenge a gate is waiting for: `undefined` while none is under way. */
interface ExpectedChallenge {
  /** The webhook being verified; undefined when not known (yet). */
  webhookId: number | undefined;
}

/**
 * A token as CertCentral sent it: DigiCert's page shows it unquoted, so a number is taken too, as the
 * string CertCentral expects back. Surrounding whitespace is removed; the token is otherwise opaque.
 */
export function tokenText(raw: unknown): string | undefined {
  if (typeof raw === "number" && Number.isFinite(raw)) return String(raw);
  if (typeof raw !== "string") return undefined;
  return raw.trim() || undefined;
}

export class TokenGate {
  private readonly seen = new Set<string>();

  judge(expected: ExpectedChallenge | undefined, token: unknown, webhookId: unknown): TokenVerdict {
    if (!expected) return { taken: false, reason: "unexpected" };
    if (expected.webhookId === undefined || webhookId !== expected.webhookId)
      return { taken: false, reason: "webhook_mismatch" };
    const text = tokenText(token);
    if (text === undefined) return { taken: false, reason: "no_token" };
    if (this.seen.has(text)) return { taken: false, reason: "token_seen" };
    this.seen.add(text);
    return { taken: true, token: text };
  }
}
