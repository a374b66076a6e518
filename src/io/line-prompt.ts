// Questions for a terminal that cannot move the cursor (TERM=dumb: Emacs' shell, some consoles), where
// inquirer's redrawing shows up as escape codes: the question is written once on stderr and the answer read
// as one line, echoed by the terminal itself. A secret is read with echo off, nothing written back.

import { createInterface } from "node:readline";
import { InterruptedError, UsageError } from "../errors.js";

const closedInput = () =>
  new UsageError("This needs input, and standard input was closed before an answer came.");

/** Write `question` on stderr and resolve with the next line typed (without its line ending). */
export function askLine(question: string, signal?: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const rl = createInterface({ input: process.stdin, terminal: false });
    let answered = false;
    const done = (settle: () => void) => {
      answered = true;
      signal?.removeEventListener("abort", onAbort);
      rl.close();
      settle();
    };
    const onAbort = () => done(() => reject(signal?.reason));
    signal?.addEventListener("abort", onAbort, { once: true });
    rl.once("line", (line) => done(() => resolve(line)));
    rl.once("close", () => {
      if (!answered) done(() => reject(closedInput()));
    });
    process.stderr.write(question);
  });
}

/** Like askLine, with the terminal's echo off (raw mode) so the answer never shows. */
export function askSecret(question: string, signal?: AbortSignal): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) return askLine(question, signal);
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    let value = "";
    const done = (settle: () => void) => {
      stdin.off("data", onData);
      signal?.removeEventListener("abort", onAbort);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write("\n");
      settle();
    };
    const onAbort = () => done(() => reject(signal?.reason));
    // In raw mode the keys come as they are: Enter ends, Ctrl-C cancels, Ctrl-D on nothing is end of input.
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString("utf8")) {
        if (ch === "\r" || ch === "\n") return done(() => resolve(value));
        if (ch === "\u0003")
          return done(() => reject(new InterruptedError("SIGINT", "Cancelled at the prompt.")));
        if (ch === "\u0004" && value === "") return done(() => reject(closedInput()));
        if (ch === "\u007f" || ch === "\b") value = [...value].slice(0, -1).join("");
        else if (ch >= " ") value += ch;
      }
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    process.stderr.write(question);
    stdin.setRawMode(true);
    stdin.on("data", onData);
    stdin.resume();
  });
}
