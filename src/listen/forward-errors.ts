// A forward attempt's failure in words for people: the code stays in the result (scripts read it), the line
// and the notices say what happened.

/** The error of a delivery still unfinished when the forwarder closed (it is in the journal). */
export const FORWARDER_CLOSED = "forwarder closed";

/** Node and undici codes a forward ends with, as a person would say them. */
const WORDS: Record<string, string> = {
  ECONNREFUSED: "connection refused: nothing listens there",
  ECONNRESET: "the app reset the connection",
  UND_ERR_SOCKET: "the app closed the connection without an answer",
  UND_ERR_CONNECT_TIMEOUT: "no connection within the time limit",
  UND_ERR_HEADERS_TIMEOUT: "no answer within the time limit",
  UND_ERR_BODY_TIMEOUT: "the answer stalled",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "host name lookup failed (temporary)",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  timeout: "no answer within the time limit",
};

/** "the app closed the connection without an answer (UND_ERR_SOCKET)"; unknown codes as they are. */
export function forwardErrorWords(error: string): string {
  const words = WORDS[error];
  return words ? `${words} (${error})` : error;
}
