// Reading the listen journal forward from a byte offset, a chunk at a time, so a caller can find a few
// entries again (the forward backlog loads bodies it did not keep in memory) without reading the whole
// file into memory. Only complete lines are returned: a line still being written, or torn by a crash,
// stays ahead of the cursor. The line format is journal.ts's (one JSON object per line, `id` second).

import { type FileHandle, open } from "node:fs/promises";
import { type JournalEntry, journalEntryFrom } from "./journal.js";

export interface JournalLine {
  /** The entry's id, read from the start of the line without parsing it all. */
  id: string;
  /** Byte offsets of the line in the file: [start, end), newline excluded. */
  start: number;
  end: number;
  text: string;
}

export interface JournalCursor {
  /** Byte offset the next read starts at. */
  readonly offset: number;
  seek(offset: number): void;
  /** The complete entry lines after the offset (about one chunk's worth); [] at the end of the file. */
  next(): Promise<JournalLine[]>;
}

// serialize() writes received_at (an ISO date) first and id second, so the id sits in the first ~60
// characters; matching only there keeps a body that happens to contain `"id":"…"` from matching.
const ID_NEAR_START = /^\{"received_at":"[^"]{1,40}","id":"([0-9a-f]{16})"/;

/** Parse one journal line; null when it is not a complete entry. */
export function entryFromLine(text: string): JournalEntry | null {
  try {
    return journalEntryFrom(JSON.parse(text));
  } catch {
    return null;
  }
}

const MAX_CHUNK_BYTES = 64 * 1024 * 1024;

async function readAt(path: string, at: number, size: number): Promise<Buffer> {
  let fh: FileHandle;
  try {
    fh = await open(path, "r");
  } catch (err) {
    if ((err as { code?: string }).code === "ENOENT") return Buffer.alloc(0);
    throw err;
  }
  try {
    const buf = Buffer.allocUnsafe(size);
    const { bytesRead } = await fh.read(buf, 0, size, at);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

export function createJournalCursor(path: string, offset = 0, chunkBytes = 1024 * 1024): JournalCursor {
  let position = offset;
  return {
    get offset() {
      return position;
    },
    seek(to) {
      position = to;
    },
    async next() {
      // Grow the chunk until it holds at least one whole line (bodies are bounded by the receiver), and
      // skip chunks of blank or foreign lines rather than report them as the end of the file.
      let size = chunkBytes;
      while (size <= MAX_CHUNK_BYTES) {
        const buf = await readAt(path, position, size);
        const lastNewline = buf.lastIndexOf(0x0a);
        if (lastNewline < 0) {
          if (buf.length < size) return []; // the end of the file, maybe in the middle of a line
          size *= 2;
          continue;
        }
        const lines: JournalLine[] = [];
        let lineStart = 0;
        while (lineStart <= lastNewline) {
          const nl = buf.indexOf(0x0a, lineStart);
          const text = buf.toString("utf8", lineStart, nl);
          const id = ID_NEAR_START.exec(text)?.[1];
          if (id) lines.push({ id, start: position + lineStart, end: position + nl, text });
          lineStart = nl + 1;
        }
        position += lastNewline + 1;
        if (lines.length > 0) return lines;
        size = chunkBytes;
      }
      throw new Error(`A line of the journal ${path} is longer than ${MAX_CHUNK_BYTES} bytes.`);
    },
  };
}
