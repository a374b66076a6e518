// A word of a command line the user can paste into a POSIX shell: left bare when it holds only safe
// characters, otherwise single-quoted (a ' inside becomes '\'').

export function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`;
}

/** The words joined as one command line. */
export function shellLine(words: readonly string[]): string {
  return words.map(shellWord).join(" ");
}
