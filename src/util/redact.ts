// The one redaction module. Every secret certwh learns (API key, webhook secret) is registered here,
// and every line that leaves the process through io/ or an error message passes through redact().

/** Each registered text → what is shown in its place. */
const known = new Map<string, string>();

/** Header names whose values are never printed, whatever they hold. */
const SECRET_HEADERS = new Set(["x-dc-devkey", "x-webhook-key", "authorization", "cookie"]);

/** Remember a secret value so that it is masked wherever it would appear. Short values are ignored. */
export function registerSecret(value: string | undefined | null): void {
  if (typeof value !== "string" || value.length < 8) return;
  replaceEverywhere(value, mask(value));
}

/**
 * A URL's password (basic auth for an app), however short: masked as it appears in a URL, between the user
 * name's `:` and the `@`, where a short value cannot be mistaken for other text.
 */
export function registerUrlPassword(url: URL): void {
  if (!url.password) return;
  for (const password of new Set([url.password, decodeURIComponent(url.password)]))
    replaceEverywhere(`:${password}@`, ":****@");
  registerSecret(decodeURIComponent(url.password));
}

function replaceEverywhere(text: string, shown: string): void {
  known.set(text, shown);
  // Inside JSON output a secret with `"`, `\` or `/`-like characters is written escaped: mask that form too.
  const escaped = JSON.stringify(text).slice(1, -1);
  if (escaped !== text) known.set(escaped, JSON.stringify(shown).slice(1, -1));
}

/**
 * A URL's password masked in text that may not parse as a URL (an error message quoting a typo such as
 * `http://bob:pw@host:1x/`): scheme://user:<anything up to the last @ before the path>@ → user:****@.
 */
export function maskUrlPassword(text: string): string {
  return text.replace(/^(\s*[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#@:]*):[^/?#]*@/, "$1:****@");
}

/** Show at most the first 4 and last 4 characters of a secret (`q3M9…x7Kp`). */
export function mask(value: string | undefined | null): string {
  if (!value) return "";
  if (value.length < 16) return "****";
  return `${value.slice(0, 4)}…${value.slice(-4)}`;
}

/** Replace every registered secret in a text by its mask. */
export function redact(text: string): string {
  let out = text;
  for (const [secret, shown] of known) {
    if (out.includes(secret)) out = out.split(secret).join(shown);
  }
  return out;
}

/**
 * redact(), except for `shown`: a secret the user asked to see (or a throwaway they need) stays whole wherever
 * it appears, while every other registered secret in the text is still masked.
 */
export function redactExcept(text: string, shown: string): string {
  if (!shown) return redact(text);
  return text.split(shown).map(redact).join(shown);
}

/** A copy of headers fit for a debug trace: secret headers replaced, other values redacted. */
export function redactHeaders(headers: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name] = SECRET_HEADERS.has(name.toLowerCase()) ? "[redacted]" : redact(String(value));
  }
  return out;
}

/** For tests: forget every registered secret. */
export function clearSecrets(): void {
  known.clear();
}
