// Prompts on stderr through @inquirer/prompts (loaded only when a prompt is really shown).
// Under --no-input, CI or a non-TTY stdin every prompt is refused with a usage error naming the flag.

import { InterruptedError, UsageError } from "../errors.js";

export interface Prompter {
  readonly interactive: boolean;
  /** `flag` names what a script passes instead, for the non-interactive error. */
  input(message: string, flag: string, opts?: { validate?: (v: string) => true | string }): Promise<string>;
  password(message: string, flag: string): Promise<string>;
  confirm(message: string, flag: string, defaultValue?: boolean): Promise<boolean>;
}

export function createPrompter(interactive: boolean, signal?: AbortSignal): Prompter {
  const refuse = (flag: string): never => {
    throw new UsageError(`This needs input, and certwh is not running interactively: pass ${flag}.`);
  };
  // A getter: process.stderr is created only when a prompt is really shown (start-up cost).
  const context = {
    get output() {
      return process.stderr;
    },
    signal,
  };
  // In raw mode Ctrl-C is a keypress, not a signal: inquirer reports it as ExitPromptError.
  const asked = async <T>(prompt: Promise<T>): Promise<T> => {
    try {
      return await prompt;
    } catch (err) {
      const name = (err as Error | undefined)?.name;
      if (name === "ExitPromptError") throw new InterruptedError("SIGINT", "Cancelled at the prompt.");
      if (name === "AbortPromptError" && signal?.aborted) throw signal.reason;
      throw err;
    }
  };
  return {
    interactive,
    async input(message, flag, opts) {
      if (!interactive) return refuse(flag);
      const { input } = await import("@inquirer/prompts");
      return asked(input({ message, validate: opts?.validate }, context));
    },
    async password(message, flag) {
      if (!interactive) return refuse(flag);
      const { password } = await import("@inquirer/prompts");
      return asked(password({ message, mask: "*" }, context));
    },
    async confirm(message, flag, defaultValue = false) {
      if (!interactive) return refuse(flag);
      const { confirm } = await import("@inquirer/prompts");
      return asked(confirm({ message, default: defaultValue }, context));
    },
  };
}
