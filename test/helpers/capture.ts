// Stand-ins for stdout and stderr that keep what was written, for code under test that takes its streams
// (Output, createContext) instead of writing to the process's own.
import { Output, type OutputOptions, type OutputStream } from "../../src/io/output.js";

export interface CapturedStream extends OutputStream {
  readonly isTTY: boolean;
  /** Every write, in order (a TTY's in-place updates are separate writes). */
  readonly writes: string[];
  /** Everything written, joined. */
  text(): string;
}

export function captureStream(isTTY = false): CapturedStream {
  const writes: string[] = [];
  return {
    isTTY,
    writes,
    text: () => writes.join(""),
    write(chunk: string | Uint8Array) {
      writes.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
      return true;
    },
  };
}

export interface CapturedOutput {
  io: Output;
  stdout: CapturedStream;
  stderr: CapturedStream;
}

/** An Output writing to captured streams; `tty` makes both look like a terminal. */
export function captureOutput(
  opts: Omit<OutputOptions, "stdout" | "stderr"> & { tty?: boolean } = {},
): CapturedOutput {
  const { tty = false, ...rest } = opts;
  const stdout = captureStream(tty);
  const stderr = captureStream(tty);
  return { io: new Output({ ...rest, stdout, stderr }), stdout, stderr };
}
