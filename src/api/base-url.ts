// Which Services API base URLs certwh will send an API key to: https:// anywhere, plain http:// only on
// loopback (the sandbox and tests). Shared by the config resolver and the client.

import { UsageError } from "../errors.js";
import { isLoopbackHost } from "../util/loopback.js";
import { maskUrlPassword } from "../util/redact.js";
import { urlSchemeError } from "../util/url-scheme.js";

/**
 * Validate a base URL and return it without a trailing slash. `from` names where it came from
 * ("--base-url", "CERTWH_BASE_URL", "base_url in profile x") for the error message.
 */
export function checkBaseUrl(raw: string, from = "the base URL"): string {
  // Before parsing: "localhost:3000" parses, as the scheme "localhost:", and "http:/x" as http://x/.
  const unwritten = urlSchemeError(from, raw, isLoopbackHost, "https://www.digicert.com/services/v2");
  if (unwritten) throw unwritten;
  const url = URL.parse(raw.trim());
  if (!url) {
    throw new UsageError(`${from} is not a valid URL: ${JSON.stringify(maskUrlPassword(raw))}.`, {
      hint: "Example: https://www.digicert.com/services/v2",
    });
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopbackHost(url.hostname))) {
    throw new UsageError(
      // As typed: the origin of an unknown scheme is "null".
      `${from} must use https:// (plain http:// is only allowed on loopback): ${JSON.stringify(maskUrlPassword(raw.trim()))}.`,
      {
        hint: "The API key travels in every request; it must not cross the network unencrypted.",
      },
    );
  }
  if (url.username || url.password) throw new UsageError(`${from} must not contain a user name or password.`);
  if (url.search || url.hash) {
    throw new UsageError(`${from} must not contain a query or fragment: ${url.origin}${url.pathname}`);
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
}
