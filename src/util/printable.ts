// Text that came from the network (event names, ids) must not drive the terminal: a sender holding the
// secret could otherwise write escape sequences, carriage returns or forged lines into `listen`'s output.

/** Control characters (C0, DEL, C1) shown as \u escapes; everything else unchanged. */
export function printable(text: string): string {
  let out = "";
  for (const ch of text) {
    const code = ch.charCodeAt(0);
    const control = code < 0x20 || (code >= 0x7f && code <= 0x9f);
    out += control ? `\\u${code.toString(16).padStart(4, "0")}` : ch;
  }
  return out;
}
