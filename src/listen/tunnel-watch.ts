// Follows the tunnel after it started (reliability-checklist item 22): a drop is reported and starts the grace
// period; a reconnect on the same URL just carries on (no API call); a reconnect on a NEW URL asks the session
// to re-point and re-verify the webhook; still down when the grace period ends → TunnelError (exit 7).

import { TunnelError } from "../errors.js";
import { joinPublicUrl, type Tunnel } from "../tunnel/tunnel.js";
import type { Clock } from "../util/clock.js";
import { isoTime } from "./iso-time.js";
import type { ListenEvent } from "./types.js";

interface TunnelWatchOptions {
  tunnel: Tunnel;
  clock: Clock;
  graceMs: number;
  /** The base URL the tunnel started with. */
  base: URL;
  /** The receiver path, for reporting the full public URL. */
  path: string;
  emit(event: ListenEvent): void;
  /** The tunnel came back on another base URL. */
  onNewUrl(base: URL): void;
  /** Down past the grace period. */
  onLost(error: TunnelError): void;
}

export interface TunnelWatch {
  readonly base: URL;
  stop(): void;
}

export function watchTunnel(o: TunnelWatchOptions): TunnelWatch {
  let base = o.base;
  let grace: AbortController | undefined;

  const unsubscribe = o.tunnel.onStatus((status) => {
    if (status.state === "closed") {
      if (grace) return; // already down
      const timer = new AbortController();
      grace = timer;
      o.emit({
        type: "tunnel_down",
        at: isoTime(o.clock.now()),
        grace_ms: o.graceMs,
        ...(status.reason ? { reason: status.reason } : {}),
      });
      o.clock.sleep(o.graceMs, timer.signal).then(
        () => {
          if (grace !== timer) return;
          o.onLost(
            new TunnelError(
              `The tunnel (${o.tunnel.description}) stayed down for more than ${Math.round(o.graceMs / 1000)} s.`,
              {
                hint: "Check the network, then run `certwh listen` again (--tunnel-grace waits longer).",
                code: "tunnel_lost",
              },
            ),
          );
        },
        () => undefined,
      );
      return;
    }
    grace?.abort();
    grace = undefined;
    const changed = status.url !== undefined && status.url.href !== base.href;
    o.emit({
      type: "tunnel_up",
      at: isoTime(o.clock.now()),
      ...(status.url ? { public_url: joinPublicUrl(status.url, o.path).href } : {}),
      url_changed: changed,
    });
    if (changed && status.url) {
      base = new URL(status.url.href);
      o.onNewUrl(base);
    }
  });

  return {
    get base() {
      return base;
    },
    stop() {
      unsubscribe();
      grace?.abort();
      grace = undefined;
    },
  };
}
