// Whether a host name or URL points at this machine. The one rule for every caller: which base URLs may
// use plain http:// (api), which endpoints and public URLs may (flows, tunnel, sandbox).

import { isIP } from "node:net";

/** An IPv6 address in the form URL.hostname gives it (compressed, lower case), or undefined. */
function canonicalIPv6(host: string): string | undefined {
  if (isIP(host) !== 6) return undefined;
  return new URL(`http://[${host}]/`).hostname.replace(/^\[|\]$/g, "");
}

/**
 * 127.0.0.0/8, ::1, ::ffff:127.x.y.z (written either way: URL.hostname gives `[::ffff:7f00:1]`),
 * localhost and *.localhost (with or without brackets, letter case or a trailing dot).
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname
    .trim()
    .replace(/^\[|\]$/g, "")
    .toLowerCase();
  const name = host.replace(/\.$/, "");
  if (name === "localhost" || name.endsWith(".localhost")) return true;
  if (isIP(host) === 4) return host.startsWith("127.");
  const v6 = canonicalIPv6(host);
  if (v6 === undefined) return false;
  // An IPv4-mapped address: the top 16 bits of the mapped IPv4 address are 0x7fxx for 127.0.0.0/8.
  return v6 === "::1" || /^::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.test(v6);
}

/** True when a URL points at this machine; false for anything that is not a URL. */
export function isLoopbackUrl(url: string): boolean {
  const parsed = URL.parse(url);
  return parsed !== null && isLoopbackHost(parsed.hostname);
}
