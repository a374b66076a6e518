// What the user's app said when it refused a forward: the first bytes of its answer, shown under the
// failed forward line and in the NDJSON `forward` record. The app's text is untrusted (it may echo the
// event, print a stack trace or HTML), so it is cut short here; its control characters are escaped where it
// is shown (render-listen.ts, replay), not here: the NDJSON carries the exact characters.

/** Bytes of a refusing answer kept for the user. */
const EXCERPT_BYTES = 512;

interface ResponseExcerpt {
  /** The answer's first bytes as UTF-8 text, exactly (escape it before it reaches a terminal). */
  text: string;
  /** The answer was longer than the bytes kept. */
  truncated: boolean;
}

/**
 * Read at most EXCERPT_BYTES bytes (plus one, to know whether there was more) and stop: the rest of a large
 * answer is never read into memory. Bytes cut in the middle of a UTF-8 character are left out.
 */
export async function readResponseExcerpt(
  body: AsyncIterable<Buffer | Uint8Array | string>,
): Promise<ResponseExcerpt> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const bytes = Buffer.from(chunk);
    chunks.push(bytes);
    size += bytes.length;
    if (size > EXCERPT_BYTES) break; // leaving the loop closes the stream
  }
  return excerpt(Buffer.concat(chunks, size));
}

/** The first EXCERPT_BYTES bytes of `bytes` as text. */
export function excerpt(bytes: Buffer): ResponseExcerpt {
  const truncated = bytes.length > EXCERPT_BYTES;
  // stream: true holds back a character cut at the limit instead of turning it into U+FFFD.
  const text = new TextDecoder("utf-8").decode(bytes.subarray(0, EXCERPT_BYTES), { stream: truncated });
  return { text, truncated };
}
