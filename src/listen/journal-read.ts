// Reading the listen journal forward from a byte offset, a chunk at a time, so a caller can find a few
// entries again (the forward backlog loads bodies it did not keep in memory) without reading the whole
// file into memory. Only complete lines are returned: a line still being written, or torn by a crash,
// stays ahead of the cursor. The line format is journal.ts's (one JSON object per line, `id` second).

import { type FileHandle, open } from "node:fs/promises";
import { type JournalEntry, journalEntryFrom } from "./journal.js";

interface JournalLine {
  /** The entry's id, read from the start of the line without parsing it all. */
  id: string;
  /** Byte offset of the line's start in the file. */
  start: number;
  text: string;
}

interface JournalCursor {
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

/** Bytes read at a time; the cursor grows a chunk up to MAX_CHUNK_BYTES to hold a whole line. */
const CHUNK_BYTES = 1024 * 1024;
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

export function createJournalCursor(path: string, offset = 0, chunkBytes = CHUNK_BYTES): JournalCursor {
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
          if (id) lines.push({ id, start: position + lineStart, text });
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

/** One line of a journal read from the start, in file order (line numbers are 1-based). */
export type JournalRecord =
  | { line: number; entry: JournalEntry }
  | { line: number; entry?: undefined; reason: string; tail: boolean };

/** Longest journal line read (the receiver caps bodies at 256 KiB; escaped as JSON that is under 2 MiB). */
const MAX_LINE_BYTES = 8 * 1024 * 1024;

/**
 * Every line of the journal in file order, read a chunk at a time: memory stays flat however long the
 * journal is (at most one chunk and one line are held). Blank lines are passed over; a line that is not an
 * entry is yielded with the reason, and a line longer than the cap is skipped without being held. A last
 * line without its newline is an entry if it parses (it only lost its newline), else a torn tail.
 * File system errors (ENOENT, EACCES) are thrown as they are.
 * `endByte`: read only the journal as it was then (its size), however much a running listen appends
 * meanwhile; a line still being written at that size is left out, as the lines after it.
 */
export async function* streamJournal(
  path: string,
  endByte = Number.POSITIVE_INFINITY,
): AsyncGenerator<JournalRecord> {
  const fh = await open(path, "r");
  try {
    const buf = Buffer.allocUnsafe(CHUNK_BYTES);
    let left = endByte;
    let parts: Buffer[] = []; // the current line's bytes from earlier chunks
    let partBytes = 0;
    let tooLong = false; // the current line is over the cap: skipping to its end
    let line = 0;
    const record = (bytes: Buffer, tail: boolean): JournalRecord | undefined => {
      line++;
      if (tooLong) {
        tooLong = false;
        return { line, reason: `longer than ${MAX_LINE_BYTES / (1024 * 1024)} MiB, not read`, tail: false };
      }
      const text = bytes.toString("utf8");
      if (text.trim() === "") return undefined;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        return { line, reason: tail ? "incomplete last line" : "not valid JSON", tail };
      }
      const entry = journalEntryFrom(value);
      if (entry) return { line, entry };
      return { line, reason: tail ? "incomplete last line" : "not a journal entry", tail };
    };
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, Math.min(CHUNK_BYTES, left), null);
      if (bytesRead === 0) break;
      left -= bytesRead;
      const chunk = buf.subarray(0, bytesRead);
      let start = 0;
      for (;;) {
        const nl = chunk.indexOf(0x0a, start);
        const end = nl < 0 ? chunk.length : nl;
        if (!tooLong) {
          if (partBytes + (end - start) > MAX_LINE_BYTES) {
            tooLong = true;
            parts = [];
            partBytes = 0;
          } else if (nl < 0) {
            // Copied: the buffer is reused for the next chunk.
            parts.push(Buffer.from(chunk.subarray(start, end)));
            partBytes += end - start;
          }
        }
        if (nl < 0) break;
        const bytes = tooLong
          ? Buffer.alloc(0)
          : parts.length === 0
            ? chunk.subarray(start, end)
            : Buffer.concat([...parts, chunk.subarray(start, end)]);
        parts = [];
        partBytes = 0;
        const r = record(bytes, false);
        if (r) yield r;
        start = nl + 1;
      }
    }
    // The rest of a line cut at endByte is being written after the snapshot: not part of it.
    const cutAtEnd = left === 0 && (await fh.stat()).size > endByte;
    if ((tooLong || partBytes > 0) && !cutAtEnd) {
      const r = record(Buffer.concat(parts), true);
      if (r) yield r;
    }
  } finally {
    await fh.close();
  }
}
