/** `text` as one shell word, quoted only when it needs to be: for commands a hint prints to copy and run. */
export function shellWord(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, "'\\''")}'`;
}
