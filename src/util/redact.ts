// The one redaction module. Every secret certwh learns (API key, webhook secret) is registered here,
// and every line that leaves the process through io/ or an error message passes through redact().

const known = new Set<string>();

/** Header names whose values are never printed, whatever they hold. */
const SECRET_HEADERS = new Set(["x-dc-devkey", "x-webhook-key", "authorization", "cookie"]);

/** Remember a secret value so that it is masked wherever it would appear. Short values are ignored. */
export function registerSecret(value: string | undefined | null): void {
  if (typeof value !== "string" || value.length < 8) return;
  known.add(value);
  // Inside JSON output a secret with `"`, `\` or `/`-like characters is written escaped: mask that form too.
  const escaped = JSON.stringify(value).slice(1, -1);
  if (escaped !== value) known.add(escaped);
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
  for (const secret of known) {
    if (out.includes(secret)) out = out.split(secret).join(mask(secret));
  }
  return out;
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
