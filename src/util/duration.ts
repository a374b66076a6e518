import { UsageError } from "../errors.js";

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * The longest wait certwh takes: 24 days. A Node timer holds at most 2^31 − 1 ms (about 24.8 days) and fires
 * at once beyond that, which would end a long --timeout immediately.
 */
export const MAX_WAIT_MS = 576 * 3_600_000;

/** A UsageError when `ms` (read from `text` for `flag`) is longer than certwh can wait. */
export function checkWaitable(ms: number, text: string, flag: string): number {
  if (ms > MAX_WAIT_MS)
    throw new UsageError(`${flag}: ${text.trim()} is longer than certwh waits; use at most 576h (24 days).`);
  return ms;
}

/** How a duration is written, said in every refusal of one. */
const DURATION_FORMAT = "use a number with ms, s, m or h, e.g. 90s or 30m";

/**
 * The one refusal of a zero duration, however it is written ("0", "0s", "0.0ms"), for every flag; `format`
 * says how the flag's values are written (a bare "0" must not read as if "5" were accepted).
 */
export function zeroDurationError(text: string, flag: string, format?: string): UsageError {
  return new UsageError(
    `${flag} must be more than zero, not ${JSON.stringify(text.trim())}${format ? `: ${format}` : ""}.`,
  );
}

/** "0", "0s", " 0.0ms ": zero, with or without a unit. */
export const isZeroDuration = (text: string) => /^\s*(0+(\.0*)?|\.0+)\s*(ms|s|m|h)?\s*$/.test(text);

/**
 * "500ms", "90s", "30m", "1h", "1.5h" → milliseconds. UsageError on anything else (or zero), naming `flag`
 * as every value error does (`--wait: invalid duration "abc": …`).
 */
export function parseDuration(text: string, flag: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)\s*$/.exec(text);
  // Zero is refused as zero whatever its unit, or without one ("0"): not as an unreadable duration.
  if (isZeroDuration(text)) throw zeroDurationError(text, flag, DURATION_FORMAT);
  const ms = match ? Math.round(Number(match[1]) * (UNITS[match[2] as string] as number)) : Number.NaN;
  if (!Number.isFinite(ms) || ms <= 0) {
    throw new UsageError(`${flag}: invalid duration ${JSON.stringify(text)}: ${DURATION_FORMAT}.`);
  }
  return checkWaitable(ms, text, flag);
}

/** A request timeout as said in a message: whole seconds as they are, else one decimal (1.5s, not 2s). */
export function secondsText(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)}s`;
}
