/**
 * A delivery's body text without one leading byte order mark, which a JSON parser may ignore (RFC 8259 §8.1):
 * the receiver accepts such a body, and the journal keeps it as sent, so every reader of a body parses it so.
 */
export function withoutBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
