// Prompts on stderr through @inquirer/prompts (loaded only when a prompt is really shown).
// Under --no-input, CI or a non-TTY stdin every prompt is refused with a usage error naming the flag.
// Under TERM=dumb (a terminal that prints cursor movement as text) inquirer is not used: each question is one
// plain line and the answer a line typed after it (line-prompt.ts).

import { InterruptedError, UsageError } from "../errors.js";
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

function refuseUnless(interactive: boolean, flag: string): void {
  if (!interactive)
    throw new UsageError(`This needs input, and certwh is not running interactively: pass ${flag}.`);
}

export function createPrompter(
  interactive: boolean,
  signal?: AbortSignal,
  color = true,
  dumbTerminal = process.env.TERM === "dumb",
): Prompter {
  if (dumbTerminal) return linePrompter(interactive, signal);
  const theme = color ? undefined : PLAIN_THEME;
  // A getter: process.stderr is created only when a prompt is really shown (start-up cost).
  const context = {
    get output() {
      return process.stderr;
    },
    signal,
  };
  const ask = async <T>(flag: string, show: (p: typeof import("@inquirer/prompts")) => Promise<T>) => {
    refuseUnless(interactive, flag);
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

/** TERM=dumb: one plain line per question, nothing redrawn (no cursor movement, no colour). */
function linePrompter(interactive: boolean, signal?: AbortSignal): Prompter {
  // Loaded only when a question is really asked (start-up cost).
  const lines = () => import("./line-prompt.js");
  const input: Prompter["input"] = async (message, flag, opts) => {
    refuseUnless(interactive, flag);
    const { askLine } = await lines();
    for (;;) {
      const answer = await askLine(`? ${terminalText(message)} `, signal);
      const verdict = opts?.validate ? opts.validate(answer) : true;
      if (verdict === true) return answer;
      process.stderr.write(`> ${terminalText(verdict)}\n`);
    }
  };
  return {
    interactive,
    input,
    password: async (message, flag) => {
      refuseUnless(interactive, flag);
      return (await lines()).askSecret(`? ${terminalText(message)} `, signal);
    },
    confirm: async (message, flag, defaultValue = false) => {
      const answer = await input(`${message} ${defaultValue ? "(Y/n)" : "(y/N)"}`, flag, {
        validate: (v) => /^(y|yes|n|no|)$/i.test(v.trim()) || "Answer y or n.",
      });
      const word = answer.trim().toLowerCase();
      return word === "" ? defaultValue : word.startsWith("y");
    },
  };
}
