// Text that came from the network or a file (endpoints, event names, ids, error bodies, paths) must not drive
// the terminal: whoever controls it could otherwise write escape sequences (set the window title, clear the
// screen), carriage returns or forged lines, or reorder what a person reads with bidi overrides (U+202E,
// U+2066…). These functions show such characters as visible \u escapes instead.
//
// Escaped: control characters (C0, DEL, C1: Unicode Cc), format characters (Cf: bidi controls, zero-width
// characters, soft hyphen, tags) and the line and paragraph separators U+2028/U+2029.

const UNSAFE = /[\p{Cc}\p{Cf}\u2028\u2029]/gu;
/** The same except line feed and tab (Cc is U+0000–001F and U+007F–009F), for blocks of several lines. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const UNSAFE_IN_BLOCK = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\p{Cf}\u2028\u2029]/gu;

const hex4 = (unit: number) => unit.toString(16).padStart(4, "0");

/** `\u001b`, or `\u{e0001}` for a character beyond the BMP. */
function escaped(ch: string): string {
  const cp = ch.codePointAt(0) as number;
  return cp > 0xffff ? `\\u{${cp.toString(16)}}` : `\\u${hex4(cp)}`;
}

/**
 * One value for a line of output (an event name, an endpoint): every unsafe character escaped, line breaks
 * and tabs included, so the value cannot start a line of its own.
 */
export function printable(text: string): string {
  return text.replace(UNSAFE, escaped);
}

/**
 * A whole block of text about to reach a terminal (the output layer's last step): like printable(), but line
 * feeds and tabs stay, since certwh's own messages use them. Values inside should already have passed
 * printable(); this is the net for any that did not.
 */
export function terminalText(text: string): string {
  return text.replace(UNSAFE_IN_BLOCK, escaped);
}

/**
 * A JSON text with the same characters written as JSON \u escapes. The document parses to exactly the same
 * value (JSON.stringify already escapes C0; this adds DEL, C1, format characters and U+2028/2029), but a
 * terminal showing it is not driven by them. Such characters only ever occur inside JSON strings, so the line
 * feeds that remain are the indentation of a document pretty-printed for a terminal, and stay.
 */
export function jsonTerminalSafe(json: string): string {
  return json.replace(UNSAFE_IN_BLOCK, (ch) => {
    let out = "";
    for (let i = 0; i < ch.length; i++) out += `\\u${hex4(ch.charCodeAt(i))}`;
    return out;
  });
}
