// The request timeout's one rule, for --request-timeout, CERTWH_REQUEST_TIMEOUT and a profile's
// request_timeout. A module of its own that needs only errors.js: the program checks the flag as it reads
// the command line, and --help must not load the config code for that.

import { UsageError } from "../errors.js";

/**
 * A request timeout below a second cannot be relied on for an API call, and certwh reports waits in whole
 * seconds ("did not answer within 1s"), so it is the least accepted: one rule for the flag, the variable
 * and the profile's key.
 */
const MIN_TIMEOUT_SECONDS = 1;
const MAX_TIMEOUT_SECONDS = 3600;

/** Seconds as text or number → seconds (decimals allowed, from 1 to an hour). */
export function parseTimeoutSeconds(raw: string | number, from: string): number {
  const seconds = typeof raw === "number" ? raw : /^\s*\d+(\.\d+)?\s*$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isFinite(seconds) || seconds < MIN_TIMEOUT_SECONDS || seconds > MAX_TIMEOUT_SECONDS) {
    throw new UsageError(
      `${from} must be a number of seconds from ${MIN_TIMEOUT_SECONDS} to ${MAX_TIMEOUT_SECONDS}, not ${JSON.stringify(raw)}.`,
    );
  }
  return seconds;
}

/**
 * --request-timeout as typed, returned as typed: the program's parser for it, so every command refuses a bad
 * one, not only those that make an API call. An empty one (a script's unset variable) is refused as such, as
 * the resolver refuses an empty --region or --base-url.
 */
export function checkRequestTimeoutFlag(value: string): string {
  if (value.trim() === "")
    throw new UsageError("--request-timeout is empty: give a value, or leave --request-timeout out.", {
      hint: "Without it, CERTWH_REQUEST_TIMEOUT, the profile's or 30 s is used.",
    });
  parseTimeoutSeconds(value, "--request-timeout");
  return value;
}
