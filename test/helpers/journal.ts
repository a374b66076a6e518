// Reading a whole listen journal at once, for tests (listen and replay stream it with streamJournal).
import type { JournalEntry, SkippedLine } from "../../src/listen/journal.js";
import { streamJournal } from "../../src/listen/journal-read.js";

export interface JournalContents {
  entries: JournalEntry[];
  /** Lines that could not be read (including a torn last line), in file order. */
  skipped: SkippedLine[];
  /** The last line was cut short (typically a crash while writing) and is among `skipped`. */
  tornTail: boolean;
}

/** Every entry of a journal at once, with the lines that could not be read. */
export async function readJournal(path: string): Promise<JournalContents> {
  const contents: JournalContents = { entries: [], skipped: [], tornTail: false };
  for await (const r of streamJournal(path)) {
    if (r.entry) contents.entries.push(r.entry);
    else {
      contents.skipped.push({ line: r.line, reason: r.reason });
      if (r.tail) contents.tornTail = true;
    }
  }
  return contents;
}
