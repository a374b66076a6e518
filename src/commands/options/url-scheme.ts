// A URL typed without its scheme (`--to localhost:3000`): the one rule every URL flag uses to say what was
// typed and which URL was probably meant. WHATWG URL parsing reads "localhost:3000" as the scheme
// "localhost:", so without this the refusal would talk about a `localhost://` nobody typed.

import { UsageError } from "../../errors.js";

/** A host (a name, an IPv4 address or a bracketed IPv6 address), an optional port, then a path or nothing. */
const HOST_PORT_PATH =
  /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.?)(:\d{1,5})?([/?#]\S*)?$/;

/**
 * `value` with `scheme://` in front when it is a URL typed without one ("localhost:3000",
 * "127.0.0.1:3000/x", "hooks.example.com/certcentral"); undefined for anything else. A lone word ("hooks")
 * is not taken for a host: it needs a dot, a port, brackets or to be localhost.
 */
export function withScheme(value: string, scheme: "http" | "https"): string | undefined {
  const text = value.trim();
  const match = HOST_PORT_PATH.exec(text);
  if (!match) return undefined;
  const [, host = "", port] = match;
  const hostLike =
    port !== undefined || host.includes(".") || host.startsWith("[") || /^localhost$/i.test(host);
  if (!hostLike) return undefined;
  const guess = `${scheme}://${text}`;
  return URL.canParse(guess) ? guess : undefined;
}

/**
 * The refusal for a URL typed without its scheme, or undefined when `value` is not one. It suggests http://
 * where `httpAllowed(hostname)` says plain http:// is accepted, else https://.
 */
export function missingSchemeError(
  flag: string,
  value: string,
  httpAllowed: (hostname: string) => boolean,
): UsageError | undefined {
  const http = withScheme(value, "http");
  if (http === undefined) return undefined;
  const plain = httpAllowed(new URL(http).hostname);
  const meant = plain ? http : `https${http.slice("http".length)}`;
  return new UsageError(
    `${flag} must be a full ${plain ? "http:// or https://" : "https://"} URL, not ${JSON.stringify(value.trim())}.`,
    { hint: `Did you mean ${flag} ${meant}?` },
  );
}
