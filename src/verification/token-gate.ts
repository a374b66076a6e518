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

type TokenVerdict<R extends string = never> =
  | { taken: true; token: string }
  | { taken: false; reason: TokenIgnoredReason | R };

/** The most tokens a gate remembers: far more than are admitted in a token's 30-minute life (the completer
 * admits a few a minute), so a long-running process keeps bounded memory without forgetting a live token. */
const SEEN_LIMIT = 10_000;

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
  // Beyond 2^53 (or not an integer) a parsed number may no longer be the digits sent: never submit a value
  // CertCentral did not issue. The receiver takes such a token's digits from the raw body (raw-token.ts).
  if (typeof raw === "number") return Number.isSafeInteger(raw) ? String(raw) : undefined;
  if (typeof raw !== "string") return undefined;
  return raw.trim() || undefined;
}

export class TokenGate {
  private readonly seen = new Set<string>();

  /**
   * `admit`, when given, is the caller's last word on a valid new token (e.g. a full queue): a token it
   * refuses is not remembered, so only admitted tokens fill `seen`.
   */
  judge<R extends string = never>(
    expected: ExpectedChallenge | undefined,
    token: unknown,
    webhookId: unknown,
    admit?: () => R | undefined,
  ): TokenVerdict<R> {
    if (!expected) return { taken: false, reason: "unexpected" };
    if (expected.webhookId === undefined || webhookId !== expected.webhookId)
      return { taken: false, reason: "webhook_mismatch" };
    const text = tokenText(token);
    if (text === undefined) return { taken: false, reason: "no_token" };
    if (this.seen.has(text)) return { taken: false, reason: "token_seen" };
    const refused = admit?.();
    if (refused !== undefined) return { taken: false, reason: refused };
    this.seen.add(text);
    // A Set iterates in insertion order: the first entry is the oldest.
    if (this.seen.size > SEEN_LIMIT) this.seen.delete(this.seen.values().next().value as string);
    return { taken: true, token: text };
  }
}
