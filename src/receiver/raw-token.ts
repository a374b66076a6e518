// A numeric data.token is read as its decimal string (README). JSON.parse keeps only 53 bits of a number, so
// a token beyond 2^53 is taken from the raw body instead: the digits exactly as CertCentral sent them.
import { isObject } from "../util/is-object.js";
import type { CertCentralEvent, JsonObject } from "./events.js";

/** `"token": <number>` anywhere in the text; the number's literal is group 1. */
const NUMERIC_TOKEN = /"token"\s*:\s*(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g;
/** A literal that is a decimal string as sent: digits, optionally a fraction, no exponent. */
const DECIMAL = /^\d+(?:\.\d+)?$/;

/**
 * The literal of the numeric `data.token` whose parsed value is `value`, when exactly one literal in the
 * text parses to it and it is written in decimal; otherwise undefined (the token is then left out).
 */
export function exactNumericToken(text: string, value: number): string | undefined {
  const literals = new Set<string>();
  for (const match of text.matchAll(NUMERIC_TOKEN)) {
    const literal = match[1] as string;
    if (Number(literal) === value) literals.add(literal);
  }
  const [only] = literals;
  return literals.size === 1 && only !== undefined && DECIMAL.test(only) ? only : undefined;
}

/** A challenge whose numeric token lost precision in the parse gets the token's digits from the raw body. */
export function restoreNumericToken(event: CertCentralEvent, payload: JsonObject, text: string): void {
  if (event.type !== "challenge_webhook_endpoint" || !isObject(payload.data)) return;
  const raw = payload.data.token;
  if (typeof raw !== "number" || Number.isSafeInteger(raw) || !Number.isFinite(raw)) return;
  const exact = exactNumericToken(text, raw);
  if (exact !== undefined) event.data.token = exact;
}
