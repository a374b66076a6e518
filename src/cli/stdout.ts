// commander's output settings for stdout (help text): written to the descriptor and probed with isatty, so
// `certwh --help` into a pipe never creates process.stdout (see src/io/fd-stream.ts).

import { fdStream, isTerminal } from "../io/fd-stream.js";

// The descriptor first; a full pipe hands the rest to process.stdout with its broken-pipe guard.
const stdout = fdStream(1);

export const commanderStdout = {
  writeOut: (text: string): void => {
    stdout.write(text);
  },
  // 80 is commander's own width when stdout is not a terminal.
  getOutHelpWidth: (): number => (isTerminal(1) ? process.stdout.columns : 80),
  getOutHasColors: (): boolean => !process.env.NO_COLOR && isTerminal(1) && process.stdout.hasColors(),
};
