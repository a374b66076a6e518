// "Did you mean …?" for an event name that is not one: the one place every flag taking an event name asks.
// People shorten and misspell in different ways, so a name is matched in this order, and the first way that
// finds anything decides:
//   1. the same name but for case and separators (Certificate-Issued → certificate_issued);
//   2. word parts: every part typed starts (or nearly spells) a different part of the name, in any order
//      (cert_issued, org_validated, issued_cert, domain_reval → certificate_issued, …);
//   3. parts run together without separators (certissued, orgval);
//   4. a prefix of the whole name (certificate_is);
//   5. edit distance for typos (certificate_isued), a quarter of the name's length at most.

import { EVENT_TYPES } from "./catalogue.js";

const ALL_NAMES: readonly string[] = EVENT_TYPES.map((e) => e.name);

/** At most this many names are offered: more would be a list, not a suggestion. */
const MAX_SUGGESTIONS = 3;

/** Lower case, with `-`, `.`, `:` and spaces read as `_`, and no empty parts. */
function normalise(text: string): string {
  return text
    .trim()
    .toLowerCase()
    .replace(/[-.:\s]+/g, "_")
    .replace(/_+/g, "_")
    .replace(/^_|_$/g, "");
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = row;
  }
  return previous[b.length];
}

/** A typed part stands for a name's part: it starts it, or (from 4 letters) is one typo away from it. */
function partMatches(typed: string, part: string): boolean {
  if (part.startsWith(typed)) return true;
  return typed.length >= 4 && editDistance(typed, part.slice(0, typed.length + 1)) <= 1;
}

/** Every typed part matches a different part of the name (greedy, in the order typed). */
function wordPartsMatch(typed: string[], name: string): boolean {
  const parts = name.split("_");
  const used = new Set<number>();
  for (const t of typed) {
    const i = parts.findIndex((p, index) => !used.has(index) && partMatches(t, p));
    if (i < 0) return false;
    used.add(i);
  }
  return true;
}

/** Written without separators: `typed` is prefixes of the name's parts run together (certissued, orgval). */
function runTogetherMatch(typed: string, parts: string[], from = 0): boolean {
  if (typed === "") return true;
  for (let j = from; j < parts.length; j++) {
    for (let k = Math.min(typed.length, parts[j].length); k >= 1; k--) {
      if (parts[j].startsWith(typed.slice(0, k)) && runTogetherMatch(typed.slice(k), parts, j + 1))
        return true;
    }
  }
  return false;
}

/**
 * The known names `input` most likely meant, best first (at most 3); [] when nothing is close. `names`
 * narrows the candidates (e.g. to the events a webhook can subscribe to).
 */
export function suggestEventNames(input: string, names: readonly string[] = ALL_NAMES): string[] {
  const typed = normalise(input);
  if (typed === "") return [];
  const same = names.filter((n) => n === typed);
  if (same.length > 0) return same;

  const parts = typed.split("_");
  // A single short part ("c", "do") matches too much to mean anything.
  if (parts.length > 1 || typed.length >= 3) {
    const byParts = names.filter((n) => wordPartsMatch(parts, n));
    if (byParts.length > 0) return byParts.slice(0, MAX_SUGGESTIONS);
  }

  if (parts.length === 1 && typed.length >= 4) {
    const runTogether = names.filter((n) => runTogetherMatch(typed, n.split("_")));
    if (runTogether.length > 0) return runTogether.slice(0, MAX_SUGGESTIONS);
  }

  const byPrefix = names.filter((n) => n.startsWith(typed));
  if (byPrefix.length > 0 && typed.length >= 3) return byPrefix.slice(0, MAX_SUGGESTIONS);

  const squashed = typed.replace(/_/g, "");
  return names
    .map((name) => {
      const distance = Math.min(editDistance(typed, name), editDistance(squashed, name.replace(/_/g, "")));
      return { name, distance };
    })
    .filter((c) => c.distance <= Math.max(2, Math.floor(c.name.length / 4)))
    .sort((a, b) => a.distance - b.distance)
    .slice(0, MAX_SUGGESTIONS)
    .map((c) => c.name);
}

/** "Did you mean certificate_issued?" / "Did you mean one of: a, b?"; undefined when there is nothing to offer. */
export function didYouMean(input: string): string | undefined {
  const found = suggestEventNames(input);
  if (found.length === 0) return undefined;
  return found.length === 1 ? `Did you mean ${found[0]}?` : `Did you mean one of: ${found.join(", ")}?`;
}
