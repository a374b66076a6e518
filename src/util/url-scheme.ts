// The one rule for every URL a user types (each URL flag, CERTWH_BASE_URL, a profile's base_url): it is
// written as an absolute `scheme://host…`, or it is refused naming what was typed and, where it can be
// guessed, the URL meant. WHATWG URL parsing is lenient: it reads "localhost:3000" as the scheme
// "localhost:", and "http:/x" or "http:x" as http://x/, so without this a typo reaches another host or is
// refused talking about a URL nobody typed.

import { isIP } from "node:net";
import { UsageError } from "../errors.js";

/** Whether plain http:// is accepted for this host name (as URL.hostname gives it) where the URL is used. */
export type HttpAllowed = (hostname: string) => boolean;

/** `scheme://`: what every URL flag takes. */
const ABSOLUTE = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;

/** "http:///x", "https://\\x": WHATWG reads past the extra slash to host x (file:/// is a real empty host). */
const HTTP_EXTRA_SLASH = /^https?:\/\/[/\\]/i;

/** A host (a name, an IPv4 address or a bracketed IPv6 address), an optional port, then a path or nothing. */
const HOST_PORT_PATH =
  /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.?)(:\d{1,5})?([/?#]\S*)?$/;

/** http or https with the wrong separator: "http:/x", "http:x", "https//x", "http:\\x", "http:///x". */
const MANGLED_SEPARATOR = /^(https?)(?::[/\\]*|[/\\]{2,})([^/\\].*)$/i;

/** A port alone (":3000", ":3000/hook"): this machine. */
const PORT_ONLY = /^:(\d{1,5})([/?#]\S*)?$/;

/** A port after a mangled scheme ("http:3000", "http:/3000/x", "http::3000"): not a host, as WHATWG reads it. */
const PORT_AFTER_SCHEME = /^:?(\d{1,5})([/?#]\S*)?$/;

/** A path, query or fragment, kept as typed after the host a guess adds. */
const PATH_START = /[/?#]/;

/**
 * `value` with `scheme://` in front when it is a URL typed without one ("localhost:3000",
 * "127.0.0.1:3000/x", "hooks.example.com/certcentral", "::1"); undefined for anything else. A lone word
 * ("hooks") is not taken for a host: it needs a dot, a port, brackets or to be localhost.
 */
export function withScheme(value: string, scheme: "http" | "https"): string | undefined {
  const text = value.trim();
  const bareIpv6 = bracketedIpv6(text);
  if (bareIpv6 !== undefined) return parsable(`${scheme}://${bareIpv6}`);
  const match = HOST_PORT_PATH.exec(text);
  if (!match) return undefined;
  const [, host = "", port] = match;
  const hostLike =
    port !== undefined || host.includes(".") || host.startsWith("[") || /^localhost$/i.test(host);
  return hostLike ? parsable(`${scheme}://${text}`) : undefined;
}

/** "::1" or "::1/x" → "[::1]" or "[::1]/x": an IPv6 address needs brackets in a URL. */
function bracketedIpv6(text: string): string | undefined {
  const cut = text.search(PATH_START);
  const head = cut < 0 ? text : text.slice(0, cut);
  return isIP(head) === 6 ? `[${head}]${cut < 0 ? "" : text.slice(cut)}` : undefined;
}

const parsable = (url: string): string | undefined => (URL.canParse(url) ? url : undefined);

/**
 * The refusal for a URL not written as `scheme://host…`, or undefined when `value` is written so (callers
 * still parse it and check its scheme and host). `flag` names where the value came from ("--to",
 * "CERTWH_BASE_URL"); the hint suggests http:// where `httpAllowed` accepts it for the host, else https://,
 * and otherwise shows `example`.
 */
export function urlSchemeError(
  flag: string,
  value: string,
  httpAllowed: HttpAllowed,
  example?: string,
): UsageError | undefined {
  const text = value.trim();
  if (ABSOLUTE.test(text) && !HTTP_EXTRA_SLASH.test(text)) return undefined;
  const meant = guessUrl(text, httpAllowed);
  const plain = httpAllowed(meant ? new URL(meant).hostname : "");
  const kinds = plain ? "http:// or https://" : "https://";
  // Where the user typed a scheme, say what is wrong with it; else only that one is missing.
  const how = MANGLED_SEPARATOR.test(text) ? ` written with "://"` : "";
  const shown = flag.startsWith("--") ? `${flag} ` : "";
  const hint = meant
    ? `Did you mean ${shown}${maskTypedPassword(meant)}?`
    : example && `e.g. ${shown}${example}`;
  return new UsageError(
    `${flag} must be a full ${kinds} URL${how}, not ${JSON.stringify(maskTypedPassword(text))}.`,
    hint ? { hint } : undefined,
  );
}

/** The URL `text` probably means, with http:// only where it is accepted for its host; undefined if unsure. */
function guessUrl(text: string, httpAllowed: HttpAllowed): string | undefined {
  const mangled = MANGLED_SEPARATOR.exec(text);
  if (mangled) {
    const [, typedScheme = "", rest = ""] = mangled;
    // "http:3000" is this machine's port 3000, not the host 3000 (0.0.11.184) that http://3000 names.
    const port = PORT_AFTER_SCHEME.exec(rest);
    const authority = port ? `localhost:${port[1]}${port[2] ?? ""}` : rest;
    const url = parsable(`${typedScheme.toLowerCase()}://${authority}`);
    if (url === undefined) return undefined;
    // "http:/x" where only https goes: https://x, not a second refusal.
    return url.startsWith("http:") && !httpAllowed(new URL(url).hostname) ? toHttps(url) : url;
  }
  const portOnly = PORT_ONLY.exec(text);
  if (portOnly) {
    // Plain http:// to this machine only: "https://localhost:3000" is rarely what ":3000" meant.
    return httpAllowed("localhost") ? parsable(`http://localhost${text}`) : undefined;
  }
  const http = withScheme(text, "http");
  if (http === undefined) return undefined;
  return httpAllowed(new URL(http).hostname) ? http : toHttps(http);
}

const toHttps = (httpUrl: string) => `https${httpUrl.slice("http".length)}`;

/** A password in the user part of what was typed (`http:/u:pw@x`) is shown as ****. */
function maskTypedPassword(text: string): string {
  return text.replace(/^((?:[A-Za-z][A-Za-z0-9+.-]*:)?[/\\]*[^/\\?#@:\s]*):[^/\\?#@\s]*@/, "$1:****@");
}
