// commander's output settings for stdout (help text): written to the descriptor and probed with isatty, so
// `certwh --help` into a pipe never creates process.stdout (see src/io/fd-stream.ts).

import { isTerminal, writeFd } from "../io/fd-stream.js";

export const commanderStdout = {
  writeOut: (text: string): void => {
    const left = writeFd(1, text);
    if (left) process.stdout.write(left);
  },
  // 80 is commander's own width when stdout is not a terminal.
  getOutHelpWidth: (): number => (isTerminal(1) ? process.stdout.columns : 80),
  getOutHasColors: (): boolean => !process.env.NO_COLOR && isTerminal(1) && process.stdout.hasColors(),
};
