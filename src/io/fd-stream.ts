// stdout and stderr as OutputStreams that create Node's process.stdout/stderr only when a stream is really
// needed (cork for batched NDJSON, a full non-blocking pipe, a terminal's width). Creating one loads Node's
// net and stream modules, a good part of a short command's start-up. Writes to pipes, files and terminals
// are synchronous on Linux anyway, so writing the descriptor directly keeps the same order and timing; once
// the stream exists, everything goes through it.

import { fstatSync, statSync, writeSync } from "node:fs";
import type { OutputStream } from "./output.js";

type Fd = 1 | 2;

let stdoutGuarded = false;
let stdoutClosed = false;

/**
 * `certwh … | head` closes stdout early: that is not an error worth a stack trace. certwh exits with the
 * exit code of what it was doing, so the exit waits a turn of the event loop: a failure being reported
 * (one JSON error on stdout, the message on stderr) sets its code first, as with the stream's async error.
 */
function exitQuietlyOnBrokenPipe(): void {
  setImmediate(() => process.exit(process.exitCode ?? 0));
}

/** process.stdout/stderr, created on first use; stdout gets the broken-pipe guard. */
function nodeStream(fd: Fd): NodeJS.WriteStream {
  if (fd === 2) return process.stderr;
  if (!stdoutGuarded) {
    stdoutGuarded = true;
    process.stdout.on("error", (err: NodeJS.ErrnoException) => {
      if (err.code !== "EPIPE") throw err;
      exitQuietlyOnBrokenPipe();
    });
  }
  return process.stdout;
}

/**
 * Writes `text` to the descriptor. Returns what is left when a non-blocking pipe is full (the caller hands
 * it to the stream, which waits); a closed stdout drops the text and exits quietly, a closed stderr drops it.
 */
function writeFd(fd: Fd, text: string | Uint8Array): Uint8Array | undefined {
  if (fd === 1 && stdoutClosed) return undefined;
  const bytes = typeof text === "string" ? Buffer.from(text) : text;
  let offset = 0;
  try {
    while (offset < bytes.length) offset += writeSync(fd, bytes, offset);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "EAGAIN") return bytes.subarray(offset);
    if (code !== "EPIPE") throw err;
    if (fd === 1) {
      stdoutClosed = true;
      exitQuietlyOnBrokenPipe();
    }
  }
  return undefined;
}

let devNull: number | undefined;

/**
 * Whether the descriptor is a terminal. node:tty's isatty would load Node's net module, so a pipe, a file
 * or /dev/null is told apart with fstat; only another character device asks its stream (a real terminal).
 */
export function isTerminal(fd: 0 | Fd): boolean {
  try {
    const stat = fstatSync(fd);
    if (!stat.isCharacterDevice()) return false;
    devNull ??= statSync("/dev/null").rdev;
    if (stat.rdev === devNull) return false;
  } catch {
    return false;
  }
  const stream = fd === 0 ? process.stdin : fd === 1 ? process.stdout : process.stderr;
  return stream.isTTY === true;
}

export function fdStream(fd: Fd): OutputStream {
  let stream: NodeJS.WriteStream | undefined;
  const real = () => {
    stream ??= nodeStream(fd);
    return stream;
  };
  const write = (chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
    // A callback or an encoding needs the stream's own semantics.
    if (stream || rest.length > 0) return (real().write as (...args: unknown[]) => boolean)(chunk, ...rest);
    const left = writeFd(fd, chunk);
    return left === undefined ? true : real().write(left);
  };
  return {
    get isTTY() {
      return stream ? stream.isTTY === true : isTerminal(fd);
    },
    get columns() {
      return real().columns;
    },
    write: write as OutputStream["write"],
    cork: () => real().cork(),
    uncork: () => real().uncork(),
  };
}
