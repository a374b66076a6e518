// --exec's command line into argv, without a shell (see exec.ts for why there is none): quotes and
// backslashes are honoured, nothing is expanded, and a bare shell operator is refused.

import { UsageError } from "../errors.js";

const SHELL_OPERATORS = new Set(["|", "||", "&", "&&", ";", ";;", ">", ">>", "<", "<<", "2>", "2>&1"]);

/**
 * Split a command line into argv: whitespace separates words; '…' is literal; "…" is literal except
 * for \" \\ \$ \` ; a backslash outside quotes escapes the next character. Nothing is expanded
 * ($VAR, $(…), globs and ~ stay literal). UsageError on an empty command, an unterminated quote, or
 * an unquoted shell operator (a sign the user expected a shell).
 */
export function splitCommand(command: string): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let quotedOperator = false;
  const push = () => {
    if (!inWord) return;
    if (!quotedOperator && SHELL_OPERATORS.has(word)) {
      throw new UsageError(
        `--exec runs its command without a shell, so "${word}" would be passed literally.`,
        {
          hint: `For pipes or redirections, ask for a shell: --exec "sh -c '…'" (event data stays on stdin and in env).`,
        },
      );
    }
    words.push(word);
    word = "";
    inWord = false;
    quotedOperator = false;
  };
  for (let i = 0; i < command.length; i++) {
    const ch = command[i] as string;
    if (/\s/.test(ch)) {
      push();
    } else if (ch === "'") {
      const end = command.indexOf("'", i + 1);
      if (end < 0) throw new UsageError("--exec: unterminated single quote in the command.");
      word += command.slice(i + 1, end);
      inWord = quotedOperator = true;
      i = end;
    } else if (ch === '"') {
      inWord = quotedOperator = true;
      let j = i + 1;
      for (; j < command.length && command[j] !== '"'; j++) {
        const c = command[j] as string;
        const next = command[j + 1];
        if (c === "\\" && next !== undefined && '"\\$`'.includes(next)) {
          word += next;
          j++;
        } else word += c;
      }
      if (j >= command.length) throw new UsageError("--exec: unterminated double quote in the command.");
      i = j;
    } else if (ch === "\\") {
      if (i + 1 >= command.length) throw new UsageError("--exec: the command ends with a lone backslash.");
      word += command[++i];
      inWord = quotedOperator = true;
    } else {
      word += ch;
      inWord = true;
    }
  }
  push();
  if (words.length === 0) throw new UsageError("--exec needs a command.");
  return words;
}
