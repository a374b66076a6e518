// Parsers for flag values several commands share (trigger, replay, listen, inspect, sandbox): each returns the value or
// throws a UsageError naming the flag, before anything is sent.

import { UsageError } from "../../errors.js";
import { findEventType } from "../../events/catalogue.js";
import { didYouMean } from "../../events/suggest.js";
import { checkWaitable, isZeroDuration, parseDuration, zeroDurationError } from "../../util/duration.js";
import { maskUrlPassword, registerUrlPassword } from "../../util/redact.js";
import { urlSchemeError } from "../../util/url-scheme.js";

/** "42" → 42 (at most 16 digits, no sign, no leading zero); undefined when the flag was not given. */
export function parsePositiveInteger(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = /^[1-9]\d{0,15}$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n))
    throw new UsageError(`${flag} must be a positive integer, not ${JSON.stringify(value)}.`);
  return n;
}

/** A positive number of seconds ("10", "0.3", ".5") → milliseconds. */
export function parsePositiveSeconds(flag: string, value: string): number {
  const seconds = /^\s*(\d+(\.\d*)?|\.\d+)\s*$/.test(value) ? Number(value) : Number.NaN;
  if (seconds === 0) throw zeroDurationError(value, flag);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new UsageError(`${flag} must be a positive number of seconds, not ${JSON.stringify(value)}.`);
  }
  return checkWaitable(seconds * 1000, `${value.trim()}s`, flag);
}

/**
 * A duration as listen's flags take it ("5s", "2m", "500ms") or a bare number of seconds ("10", "0.5"), the
 * form trigger --timeout always took → milliseconds.
 */
export function parseDurationOrSeconds(flag: string, value: string): number {
  // Zero, however written, gets one text that names both forms.
  if (isZeroDuration(value))
    throw zeroDurationError(
      value,
      flag,
      "use a number of seconds, or one with ms, s, m or h, e.g. 10 or 500ms",
    );
  if (/^\s*[\d.]+\s*$/.test(value)) return parsePositiveSeconds(flag, value);
  return parseDuration(value, flag);
}

/**
 * An absolute http:// or https:// URL (any host: callers that send credentials check more). A password in
 * it (basic auth for an app) is registered as a secret, so output shows it masked.
 */
export function parseHttpUrl(flag: string, value: string, example = "http://localhost:3000/webhooks"): URL {
  // Before parsing: "localhost:3000" parses, as the scheme "localhost:", and "http:/x" as http://x/.
  const unwritten = urlSchemeError(flag, value, () => true, example);
  if (unwritten) throw unwritten;
  if (!URL.canParse(value.trim())) {
    // Not a URL, so its password is not registered yet: mask it here (a typo in the port must not show it).
    throw new UsageError(
      `${flag} must be a full http:// or https:// URL, not ${JSON.stringify(maskUrlPassword(value))}.`,
      {
        hint: `e.g. ${flag} ${example}`,
      },
    );
  }
  const url = new URL(value.trim());
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UsageError(`${flag} must be an http:// or https:// URL, not ${url.protocol}//….`);
  }
  registerUrlPassword(url);
  return url;
}

/** A port: 0 to 65535; 0 (the system picks a free one) when the flag was not given. */
export function parsePort(flag: string, value: string | undefined): number {
  if (value === undefined) return 0;
  if (!/^\d+$/.test(value) || Number(value) > 65535)
    throw new UsageError(`${flag} must be a number from 0 to 65535, not "${value}".`);
  return Number(value);
}

/** An event CertCentral sends; anything else is refused with `message` and the names nearest to it. */
export function checkEventName(name: string, message: string): void {
  if (findEventType(name)) return;
  const near = didYouMean(name);
  throw new UsageError(message, {
    hint: near
      ? `${near} (\`certwh event-types --all\` lists them.)`
      : "`certwh event-types --all` lists them.",
  });
}
