// Retry policy for calls that are safe to repeat (reliability-checklist items 13, 14 and 16): 429, 5xx,
// network errors and per-request timeouts are retried with exponential backoff and jitter (1 → 2 → 4 s);
// a Retry-After is honoured (at least 1 s) and one above 60 s ends the call at once. A user abort is never
// retried. Which calls may use this at all is decided in webhooks.ts.

import type { Clock } from "../util/clock.js";
import { ApiError, ApiTimeoutError, NetworkError, noAnswerWords } from "./errors.js";

// Four attempts: the waits (1, 2 and 4 s) outlast CertCentral's 5-second burst window (spec §17 #9).
export const API_ATTEMPTS = 4;
const BASE_DELAY_MS = 1000;
const MIN_DELAY_MS = 1000;
/** A server asking for a longer pause than this gets no retry: the user is better told at once. */
const MAX_RETRY_AFTER_MS = 60_000;

/**
 * Parse a Retry-After header: delta-seconds or an HTTP date. Junk (and negative numbers) → undefined.
 * A date in the past gives 0.
 */
export function parseRetryAfter(value: string | string[] | undefined, nowMs: number): number | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // Only accept something that looks like an HTTP date (IMF-fixdate or its obsolete forms), not "soon".
  if (!/^[A-Za-z]{3},? /.test(text) && !/^[A-Za-z]+day, /.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/** Whether a failure may be retried at all (for a call that is safe to repeat). */
export function isRetryable(err: unknown): boolean {
  if (err instanceof ApiError) return err.status === 429 || err.status >= 500;
  // An https:// URL served in plain HTTP answers the same way every time.
  if (err instanceof NetworkError && err.errno === "ERR_SSL_WRONG_VERSION_NUMBER") return false;
  // A proxy that refused the tunnel (407 wants credentials, 403 forbids the host) refuses it again.
  if (err instanceof NetworkError && err.proxy?.status !== undefined && err.proxy.status < 500) return false;
  return err instanceof NetworkError || err instanceof ApiTimeoutError;
}

/** Up to a quarter of the delay (at most 1 s) on top, so many clients do not retry in lockstep. */
function withJitter(ms: number, random: () => number): number {
  return Math.round(ms + random() * Math.min(1000, ms / 4));
}

/**
 * How long to wait before attempt `attempt + 1`, or undefined to give up now (Retry-After above 60 s).
 * `attempt` counts from 1.
 */
export function retryDelay(
  err: unknown,
  attempt: number,
  random: () => number = Math.random,
): number | undefined {
  const retryAfter = err instanceof ApiError ? err.retryAfterMs : undefined;
  if (retryAfter !== undefined) {
    if (retryAfter > MAX_RETRY_AFTER_MS) return undefined;
    return withJitter(Math.max(MIN_DELAY_MS, retryAfter), random);
  }
  return withJitter(BASE_DELAY_MS * 2 ** (attempt - 1), random);
}

function describe(err: unknown): string {
  if (err instanceof ApiError) {
    return err.status === 429
      ? "CertCentral rate limit reached"
      : `CertCentral answered HTTP ${err.status}${err.code ? ` ${err.code}` : ""}`;
  }
  if (err instanceof ApiTimeoutError) return `${err.host} did not answer in time`;
  if (err instanceof NetworkError) return noAnswerWords(err.host, err.errno);
  return "request failed";
}

interface RetryOptions {
  clock: Clock;
  maxAttempts?: number;
  signal?: AbortSignal;
  onRetry?: (info: { attempt: number; delayMs: number; reason: string }) => void;
  random?: () => number;
}

/** Run `attempt` until it succeeds, fails for good, or the attempts run out; the last error is thrown. */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, opts: RetryOptions): Promise<T> {
  const maxAttempts = Math.max(1, opts.maxAttempts ?? API_ATTEMPTS);
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (opts.signal?.aborted) throw opts.signal.reason;
      // The final error says how many requests were sent, so the message can say whether it was retried.
      if (err instanceof ApiError || err instanceof ApiTimeoutError) err.attempts = attempt;
      if (attempt >= maxAttempts || !isRetryable(err)) throw err;
      const delayMs = retryDelay(err, attempt, opts.random);
      if (delayMs === undefined) throw err;
      opts.onRetry?.({ attempt, delayMs, reason: describe(err) });
      await opts.clock.sleep(delayMs, opts.signal);
    }
  }
}
