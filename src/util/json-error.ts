// Why JSON.parse refused a file, in words that never quote the file. V8's message for an unexpected token
// quotes the text around it ("Unexpected token 'Z', ..."api_key": Zq8xVw3LmN"... is not valid JSON"), and the
// files certwh parses (config, sandbox state) hold API keys and webhook secrets: such a message is replaced.

/** JSON.parse's reason when it quotes nothing (e.g. "… at position 16"), else a fixed sentence. */
export function jsonSyntaxReason(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  if (!message.includes('"')) return message;
  const position = /\bat position \d+(?: \(line \d+ column \d+\))?/.exec(message)?.[0];
  return position ? `unexpected text ${position}` : "unexpected text";
}
