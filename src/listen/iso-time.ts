// ISO 8601 text for an epoch-millisecond time, remembering the last one: under load many events share a
// millisecond, and each is stamped three times (journal line, event line, first-seen), so most calls build no
// Date and no string.

let lastMs = Number.NaN;
let lastText = "";

export function isoTime(ms: number): string {
  if (ms !== lastMs) {
    lastText = new Date(ms).toISOString();
    lastMs = ms;
  }
  return lastText;
}
