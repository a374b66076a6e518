// Which Services API base URLs certwh will send an API key to: https:// anywhere, plain http:// only on
// loopback (the sandbox and tests). Shared by the config resolver and the client.

import { isIP } from "node:net";
import { UsageError } from "../errors.js";

/** 127.0.0.0/8, ::1 (also as an IPv4-mapped ::ffff:127.x address) and localhost. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (host === "localhost" || host.endsWith(".localhost")) return true;
  if (isIP(host) === 4) return host.startsWith("127.");
  if (isIP(host) === 6) {
    if (host === "::1" || host === "0:0:0:0:0:0:0:1") return true;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(host);
    return mapped !== null && mapped[1]!.startsWith("127.");
  }
  return false;
}

/**
 * Validate a base URL and return it without a trailing slash. `from` names where it came from
 * ("--base-url", "CERTWH_BASE_URL", "base_url in profile x") for the error message.
 */
export function checkBaseUrl(raw: string, from = "the base URL"): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new UsageError(`${from} is not a valid URL: ${JSON.stringify(raw)}.`, {
      hint: "Example: https://www.digicert.com/services/v2",
    });
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopbackHost(url.hostname))) {
    throw new UsageError(
      `${from} must use https:// (plain http:// is only allowed on loopback): ${url.origin}`,
      {
        hint: "The API key travels in every request; it must not cross the network unencrypted.",
      },
    );
  }
  if (url.username || url.password) {
    throw new UsageError(`${from} must not contain a user name or password.`);
  }
  if (url.search || url.hash) {
    throw new UsageError(`${from} must not contain a query or fragment: ${url.origin}${url.pathname}`);
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
}
