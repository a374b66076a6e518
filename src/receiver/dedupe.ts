// Repeated deliveries (reliability-checklist item 10). DigiCert sends no delivery ID, so the key is the SHA-256
// of the raw body. The cache is a bounded LRU (Map insertion order) with a TTL on an injected clock. By default
// the receiver only marks a repeat (acknowledgedAt()/remember()): CertCentral re-sends identical bodies
// legitimately (a resent approval email re-sends order_approval_email_sent), so a repeat is passed on. A copy
// is a repeat only of a copy that was acknowledged: marking mode remembers a body when it is answered 200,
// never on arrival, so a copy refused with 5xx (or one still in flight) makes no later copy a repeat. With
// `drop: true` a repeat is answered 200 and not processed again (claim()/settle()).
import type { Clock } from "../util/clock.js";

export interface DedupeOptions {
  /** Answer a repeat 200 without processing it again (a `duplicate` outcome). Default false: a repeat is
   * processed like any delivery and marked (`repeat` on the `accepted` outcome and on onAccept's delivery). */
  drop?: boolean;
  /** Default 1000. */
  maxEntries?: number;
  /** Default 10 minutes. */
  ttlMs?: number;
}

export const DEFAULT_DEDUPE = { maxEntries: 1000, ttlMs: 10 * 60_000, drop: false } as const;

interface Entry {
  expiresAt: number;
  /** Clock time of the first delivery of this body (within the TTL). */
  firstAt: number;
  /** True until the claimer settles; such an entry is never evicted (its waiters need the outcome). */
  pending: boolean;
  /** Created only when a duplicate arrives while the first delivery is in flight (rare). */
  outcome?: Promise<boolean>;
  resolve?: (ok: boolean) => void;
}

/** Every settled entry in the cache was acknowledged (failed ones are removed): one shared answer. */
const ACKNOWLEDGED: Promise<boolean> = Promise.resolve(true);

export class DedupeCache {
  private readonly entries = new Map<string, Entry>();
  private readonly maxEntries: number;
  private readonly ttlMs: number;

  constructor(
    private readonly clock: Clock,
    options: DedupeOptions = {},
  ) {
    this.maxEntries = Math.max(1, options.maxEntries ?? DEFAULT_DEDUPE.maxEntries);
    this.ttlMs = Math.max(0, options.ttlMs ?? DEFAULT_DEDUPE.ttlMs);
  }

  get size(): number {
    return this.entries.size;
  }

  /**
   * Returns the earlier delivery's outcome when `key` was seen within the TTL (a duplicate), or undefined after
   * claiming the key; the claimer must then call `settle(key, ok)` once it knows whether the delivery was
   * acknowledged. A failed first delivery is forgotten, so a resend is processed afresh.
   */
  claim(key: string, at?: number): Promise<boolean> | undefined {
    const existing = this.live(key);
    if (!existing) {
      this.store(key, at, true);
      return undefined;
    }
    if (!existing.pending) return ACKNOWLEDGED;
    existing.outcome ??= new Promise<boolean>((resolve) => {
      existing.resolve = resolve;
    });
    return existing.outcome;
  }

  /** When the body `key` was first received, if it is remembered. */
  firstSeen(key: string): number | undefined {
    return this.entries.get(key)?.firstAt;
  }

  /**
   * Marking mode: when the first acknowledged copy of `key` was received, if one was acknowledged within the
   * TTL (this copy is then a repeat, still processed); else undefined.
   */
  acknowledgedAt(key: string): number | undefined {
    return this.live(key)?.firstAt;
  }

  /** Marking mode: a copy received at `at` was acknowledged; the first acknowledged copy is kept. */
  remember(key: string, at: number): void {
    if (!this.live(key)) this.store(key, at, false);
  }

  /** The entry of `key` when it was stored within the TTL (its recency refreshed); else undefined. */
  private live(key: string): Entry | undefined {
    const existing = this.entries.get(key);
    if (!existing) return undefined;
    this.entries.delete(key);
    // A copy still in flight stays claimed past the TTL: its waiters get its outcome from settle().
    if (existing.expiresAt <= this.clock.now() && !existing.pending) return undefined;
    // Refresh recency (LRU), keep the original expiry: a replay loop must not keep an entry alive forever.
    this.entries.set(key, existing);
    return existing;
  }

  private store(key: string, firstAt: number | undefined, pending: boolean): void {
    const now = this.clock.now();
    // No promise per delivery: the common case (a fresh body) never has anyone waiting on it.
    this.entries.set(key, { expiresAt: now + this.ttlMs, firstAt: firstAt ?? now, pending });
    this.evict(now);
  }

  settle(key: string, ok: boolean): void {
    const entry = this.entries.get(key);
    if (!entry?.pending) return;
    entry.pending = false;
    if (!ok) this.entries.delete(key);
    entry.resolve?.(ok);
    entry.resolve = undefined;
    if (ok) entry.outcome = undefined;
  }

  private evict(now: number): void {
    for (const [key, entry] of this.entries) {
      if (this.entries.size <= this.maxEntries && entry.expiresAt > now) break;
      // Never evict an entry whose first delivery is still in flight; its waiters need the outcome.
      if (!entry.pending) this.entries.delete(key);
    }
  }
}
