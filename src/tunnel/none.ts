// --sandbox: no tunnel at all. The sandbox runs on this machine, so the public URL is the local receiver's.
import type { Tunnel } from "./tunnel.js";

export function createLocalTunnel(): Tunnel {
  return {
    description: "no tunnel (local receiver)",
    async start(localPort, signal) {
      signal?.throwIfAborted();
      return new URL(`http://127.0.0.1:${localPort}`);
    },
    // Its status never changes, so there is nothing to subscribe to or to close.
    onStatus: () => () => undefined,
    async close() {},
  };
}
