// --sandbox: no tunnel at all. The sandbox runs on this machine, so the public URL is the local receiver's.
import { StatusListeners, type Tunnel } from "./tunnel.js";

export function createLocalTunnel(host = "127.0.0.1"): Tunnel {
  const listeners = new StatusListeners();
  const hostPart = host.includes(":") ? `[${host}]` : host;
  return {
    description: "no tunnel (local receiver)",
    async start(localPort, signal) {
      signal?.throwIfAborted();
      return new URL(`http://${hostPart}:${localPort}`);
    },
    onStatus: (listener) => listeners.add(listener),
    async close() {
      listeners.clear();
    },
  };
}
