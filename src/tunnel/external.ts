// --public-url: the user runs their own tunnel or reverse proxy and tells certwh its public base URL.
import { UsageError } from "../errors.js";
import { isLoopbackHost } from "../util/loopback.js";
import type { Tunnel } from "./tunnel.js";

/** Validates a user-given public base URL: https://, or http:// only on loopback (sandbox, tests). */
export function parsePublicBaseUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--public-url is not a valid URL: ${JSON.stringify(text)}.`);
  }
  if (url.username || url.password)
    throw new UsageError("--public-url must not contain a user name or password.");
  if (url.search || url.hash)
    throw new UsageError("--public-url must not contain a query string or fragment.");
  if (url.protocol === "https:") return url;
  if (url.protocol === "http:" && isLoopbackHost(url.hostname)) return url;
  throw new UsageError(
    "--public-url must start with https:// (CertCentral only delivers to HTTPS endpoints).",
    { hint: "http:// is accepted only for loopback addresses, e.g. with the sandbox." },
  );
}

/** A tunnel that already exists: start() just returns the given URL; status never changes. */
export function createExternalTunnel(publicUrl: string): Tunnel {
  const base = parsePublicBaseUrl(publicUrl);
  return {
    description: `your tunnel at ${base.origin}`,
    async start(_localPort, signal) {
      signal?.throwIfAborted();
      return new URL(base.href);
    },
    // Its status never changes, so there is nothing to subscribe to or to close.
    onStatus: () => () => undefined,
    async close() {},
  };
}
