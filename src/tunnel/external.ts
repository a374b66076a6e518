// Tunnels whose URL is known up front and never changes: --public-url (the user runs their own tunnel or
// reverse proxy and tells certwh its public base URL) and a sandbox on this machine (no tunnel at all).
import { UsageError } from "../errors.js";
import { isLoopbackHost } from "../util/loopback.js";
import { maskUrlPassword } from "../util/redact.js";
import { urlSchemeError } from "../util/url-scheme.js";
import type { Tunnel } from "./tunnel.js";

/**
 * Validates a user-given public base URL: https://, or http:// only on loopback (sandbox, tests). `from`
 * names where it came from in the refusal.
 */
export function parsePublicBaseUrl(text: string, from = "--public-url"): URL {
  // Before parsing: "localhost:3000" parses, as the scheme "localhost:", and "http:/x" as http://x/.
  const unwritten = urlSchemeError(from, text, isLoopbackHost, "https://hooks.example.com");
  if (unwritten) throw unwritten;
  const url = URL.parse(text.trim());
  if (!url) throw new UsageError(`${from} is not a valid URL: ${JSON.stringify(maskUrlPassword(text))}.`);
  if (url.username || url.password) throw new UsageError(`${from} must not contain a user name or password.`);
  if (url.search || url.hash) throw new UsageError(`${from} must not contain a query string or fragment.`);
  if (url.protocol === "https:") return url;
  if (url.protocol === "http:" && isLoopbackHost(url.hostname)) return url;
  throw new UsageError(`${from} must start with https:// (CertCentral only delivers to HTTPS endpoints).`, {
    hint: "http:// is accepted only for loopback addresses, e.g. with the sandbox.",
  });
}

/** start() just returns the URL for the local port. */
function fixedTunnel(description: string, url: (localPort: number) => URL): Tunnel {
  return {
    description,
    async start(localPort, signal) {
      signal?.throwIfAborted();
      return url(localPort);
    },
    // Its status never changes, so there is nothing to subscribe to or to close.
    onStatus: () => () => undefined,
    async close() {},
  };
}

/** A tunnel that already exists at the given URL. */
export function createExternalTunnel(publicUrl: string): Tunnel {
  const base = parsePublicBaseUrl(publicUrl);
  return fixedTunnel(`your tunnel at ${base.origin}`, () => new URL(base.href));
}

/** A sandbox on this machine (--sandbox, or an API on loopback): the public URL is the local receiver's. */
export function createLocalTunnel(description = "no tunnel (local receiver)"): Tunnel {
  return fixedTunnel(description, (port) => new URL(`http://127.0.0.1:${port}`));
}
