// Text that came from the network (event names, ids) must not drive the terminal: a sender holding the
// secret could otherwise write escape sequences, carriage returns or forged lines into `listen`'s output.

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/** Control characters (C0, DEL, C1) shown as \u escapes; everything else unchanged. */
export function printable(text: string): string {
  return text.replace(CONTROL, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
