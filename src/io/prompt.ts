// Prompts on stderr through @inquirer/prompts (loaded only when a prompt is really shown).
// Under --no-input, CI or a non-TTY stdin every prompt is refused with a usage error naming the flag.

import { InterruptedError, NO_PROMPTS, UsageError } from "../errors.js";
import { terminalText } from "../util/printable.js";

export interface Prompter {
  readonly interactive: boolean;
  /** `flag` names what a script passes instead, for the non-interactive error. */
  input(message: string, flag: string, opts?: { validate?: (v: string) => true | string }): Promise<string>;
  password(message: string, flag: string): Promise<string>;
  confirm(message: string, flag: string, defaultValue?: boolean): Promise<boolean>;
}

const plain = (text: string) => text;
/**
 * inquirer's theme without colour or bold (--no-color, NO_COLOR, TERM=dumb): its default styles use
 * node:util's styleText, which on Node 20 colours whatever the environment says.
 */
const PLAIN_THEME = {
  prefix: { idle: "?", done: "✔" },
  style: {
    answer: plain,
    message: plain,
    error: plain,
    defaultAnswer: plain,
    help: plain,
    highlight: plain,
    key: plain,
  },
};

export function createPrompter(interactive: boolean, signal?: AbortSignal, color = true): Prompter {
  const theme = color ? undefined : PLAIN_THEME;
  // A getter: process.stderr is created only when a prompt is really shown (start-up cost).
  const context = {
    get output() {
      return process.stderr;
    },
    signal,
  };
  const ask = async <T>(flag: string, show: (p: typeof import("@inquirer/prompts")) => Promise<T>) => {
    if (!interactive) throw new UsageError(`This needs input, and ${NO_PROMPTS}: pass ${flag}.`);
    try {
      return await show(await import("@inquirer/prompts"));
    } catch (err) {
      // In raw mode Ctrl-C is a keypress, not a signal: inquirer reports it as ExitPromptError.
      const name = (err as Error | undefined)?.name;
      if (name === "ExitPromptError") throw new InterruptedError("SIGINT", "Cancelled at the prompt.");
      if (name === "AbortPromptError" && signal?.aborted) throw signal.reason;
      throw err;
    }
  };
  // Questions may quote an endpoint or an event from the API: shown escaped, like every other line.
  return {
    interactive,
    input: (message, flag, opts) =>
      ask(flag, (p) => p.input({ message: terminalText(message), validate: opts?.validate, theme }, context)),
    password: (message, flag) =>
      ask(flag, (p) => p.password({ message: terminalText(message), mask: "*", theme }, context)),
    confirm: (message, flag, defaultValue = false) =>
      ask(flag, (p) => p.confirm({ message: terminalText(message), default: defaultValue, theme }, context)),
  };
}
