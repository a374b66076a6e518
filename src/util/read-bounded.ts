// The one way certwh reads a file the user named (config, secret, sandbox state, URL file): at most a limit
// of bytes, so /dev/zero or a huge file is an error instead of gigabytes of memory, and without blocking the
// process: the file is opened non-blocking, so a FIFO or a device with nothing to read is polled instead of
// tying up a thread, and the run's abort signal (SIGINT/SIGTERM) stops the read at once.
// A FIFO that no writer has opened reads as empty (what a non-blocking open reports).

import { constants } from "node:fs";
import { type FileHandle, open } from "node:fs/promises";
import { setTimeout as delay } from "node:timers/promises";
import { type FileRole, fileError, tooBig } from "./fs-error.js";

interface ReadBoundedOptions {
  /** The most bytes accepted; one more is an error (ETOOBIG). */
  limitBytes: number;
  /** For the error sentence: what the file is and what certwh was doing. */
  role: Omit<FileRole, "action">;
  /** Aborting rejects the read with the signal's reason. */
  signal?: AbortSignal;
  /** Return undefined for a missing file (ENOENT) instead of throwing. */
  missingOk?: boolean;
}

const CHUNK = 64 * 1024;
/** Polling a FIFO or device with no data yet: first wait, and the longest wait. */
const FIRST_WAIT_MS = 10;
const MAX_WAIT_MS = 200;

const wouldBlock = (err: unknown) => {
  const code = (err as NodeJS.ErrnoException)?.code;
  return code === "EAGAIN" || code === "EWOULDBLOCK";
};

/**
 * The file's text (UTF-8), at most `limitBytes` bytes. Errors are FileErrors naming the path and the cause
 * (EISDIR for a folder, ETOOBIG past the limit); an abort rejects with the signal's reason.
 */
export async function readBounded(
  path: string,
  opts: ReadBoundedOptions & { missingOk: true },
): Promise<string | undefined>;
export async function readBounded(path: string, opts: ReadBoundedOptions): Promise<string>;
export async function readBounded(path: string, opts: ReadBoundedOptions): Promise<string | undefined> {
  const { limitBytes, signal } = opts;
  const role: FileRole = { ...opts.role, action: "read" };
  signal?.throwIfAborted();
  let fh: FileHandle;
  try {
    fh = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (err) {
    if (opts.missingOk && (err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw fileError(err, path, role);
  }
  try {
    const stat = await fh.stat().catch((err: unknown) => {
      throw fileError(err, path, role);
    });
    if (stat.isDirectory()) throw fileError({ code: "EISDIR" }, path, role);
    if (stat.isFile() && stat.size > limitBytes) throw tooBig(path, limitBytes, role);
    const chunks: Buffer[] = [];
    let total = 0;
    let wait = FIRST_WAIT_MS;
    const buffer = Buffer.allocUnsafe(Math.min(CHUNK, limitBytes + 1));
    for (;;) {
      signal?.throwIfAborted();
      let bytesRead: number;
      try {
        ({ bytesRead } = await fh.read(buffer, 0, Math.min(buffer.length, limitBytes + 1 - total), null));
      } catch (err) {
        if (!wouldBlock(err)) throw fileError(err, path, role);
        // An abort ends the wait early; the check at the top of the loop then throws the signal's reason.
        await delay(wait, undefined, { signal }).catch(() => undefined);
        wait = Math.min(wait * 2, MAX_WAIT_MS);
        continue;
      }
      if (bytesRead === 0) break;
      wait = FIRST_WAIT_MS;
      chunks.push(Buffer.from(buffer.subarray(0, bytesRead)));
      total += bytesRead;
      if (total > limitBytes) throw tooBig(path, limitBytes, role);
    }
    return Buffer.concat(chunks, total).toString("utf8");
  } finally {
    await fh.close().catch(() => undefined);
  }
}
