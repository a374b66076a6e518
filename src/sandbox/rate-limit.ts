// CertCentral's rate limit (spec §2.1): rolling windows counted per API key. Only requests that were let
// through count, so a client that backs off for the window gets in again. No Retry-After is sent.

import type { Clock } from "../util/clock.js";
import type { RateLimitOptions } from "./types.js";

const LONG_WINDOW = { limit: 1000, windowMs: 3 * 60 * 1000 };

export class RateLimiter {
  private readonly hits = new Map<string, number[]>();
  private readonly windows: { limit: number; windowMs: number }[];

  constructor(
    private readonly clock: Clock,
    opts: RateLimitOptions = {},
  ) {
    this.windows = [{ limit: opts.burst ?? 100, windowMs: opts.windowMs ?? 5000 }];
    if (opts.longWindow) this.windows.push(LONG_WINDOW);
  }

  /** true when the request may pass (and is then counted). */
  allow(key: string): boolean {
    const now = this.clock.now();
    const longest = Math.max(...this.windows.map((w) => w.windowMs));
    const times = (this.hits.get(key) ?? []).filter((t) => t > now - longest);
    const blocked = this.windows.some((w) => times.filter((t) => t > now - w.windowMs).length >= w.limit);
    if (!blocked) times.push(now);
    this.hits.set(key, times);
    return !blocked;
  }
}
