// Completion scripts generated from the command table itself, so they never drift from the flags.
// Each script finds the command word by skipping options and the values of options that take one,
// offers sub-commands and argument choices, completes event names for the flags that take one, and falls
// back to file names for other option values.

import type { CommandContext } from "../commands/context.js";
import type { AnyCommand, Option } from "../commands/specs/commander.js";
import type { CompletionFlags } from "../commands/specs/misc.js";
import { SETTING_KEYS } from "../config/setting-keys.js";
import { UsageError } from "../errors.js";
import { EVENT_TYPES, SUBSCRIBABLE_EVENTS } from "../events/catalogue.js";
import { SANDBOX_QUIRKS } from "../sandbox/quirks.js";

interface CommandSpec {
  names: string[];
  description: string;
  /** The command's own flags (the global ones are offered once, from Spec.globals). */
  flags: string[];
  /** Flags followed by a value; with choices, those are completed, otherwise file names. */
  valueFlags: { flag: string; choices: string[] }[];
  /** Sub-commands (config) or argument choices (completion, trigger, help). */
  words: string[];
  /** A sub-command's own arguments and flags (`config set <key>`). */
  subcommands: { name: string; words: string[] }[];
}

interface Spec {
  globals: string[];
  globalValueFlags: { flag: string; choices: string[] }[];
  commands: CommandSpec[];
}

const EVENT_NAMES = EVENT_TYPES.map((e) => e.name);

const ARGUMENT_CHOICES: Record<string, string[]> = {
  completion: ["bash", "zsh", "fish"],
  trigger: EVENT_NAMES,
  "config get": [...SETTING_KEYS],
  "config set": SETTING_KEYS.filter((k) => k !== "api_key"),
  "config unset": [...SETTING_KEYS],
};

/** Flags whose value is a name in a list: an event name, or (comma-separated) several. */
const NAME_FLAGS: Record<string, string[]> = {
  "--event": EVENT_NAMES,
  // What a webhook can subscribe to, and so what listen --until can wait for.
  "--events": [...SUBSCRIBABLE_EVENTS],
  "--until": [...SUBSCRIBABLE_EVENTS],
  "--quirks": SANDBOX_QUIRKS.map((q) => q.name),
};
/** Of those, the ones taking a comma-separated list: each name after a comma is completed too. */
const LIST_FLAGS: readonly string[] = ["--events", "--quirks"];

function longFlags(cmd: AnyCommand): string[] {
  return [...cmd.options.map((o) => o.long).filter((f): f is string => Boolean(f)), "--help"];
}

function valueFlags(cmd: AnyCommand): { flag: string; choices: string[] }[] {
  return cmd.options
    .filter((o: Option) => o.long && (o.required || o.optional))
    .map((o: Option) => ({
      flag: o.long as string,
      choices: o.argChoices ?? NAME_FLAGS[o.long as string] ?? [],
    }));
}

function completionSpec(program: AnyCommand): Spec {
  const globals = longFlags(program);
  const own = (cmd: AnyCommand) => longFlags(cmd).filter((f) => !globals.includes(f));
  const commands = program.commands.filter((c) => c.name() !== "help");
  return {
    globals,
    globalValueFlags: valueFlags(program),
    commands: [
      ...commands.map((c) => ({
        names: [c.name(), ...c.aliases()],
        description: c.description(),
        flags: own(c),
        valueFlags: valueFlags(c),
        words: [
          ...c.commands.map((s) => s.name()).filter((n) => n !== "help"),
          ...(ARGUMENT_CHOICES[c.name()] ?? []),
        ],
        subcommands: c.commands
          .filter((s) => s.name() !== "help")
          .map((s) => ({
            name: s.name(),
            words: [...(ARGUMENT_CHOICES[`${c.name()} ${s.name()}`] ?? []), ...own(s)],
          })),
      })),
      {
        names: ["help"],
        description: "show a command's help",
        flags: [],
        valueFlags: [],
        words: commands.map((c) => c.name()),
        subcommands: [],
      },
    ],
  };
}

const words = (list: string[]) => list.join(" ");

/** Text inside a fish single-quoted string: fish accepts \\ and \' there. */
function fishQuoted(text: string): string {
  return `'${text.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

/** Text inside a POSIX/zsh single-quoted string: end the quote, an escaped ', and reopen it. */
function shQuoted(text: string): string {
  return `'${text.replace(/'/g, "'\\''")}'`;
}

function bash(spec: Spec): string {
  const allValueFlags = [...spec.globalValueFlags, ...spec.commands.flatMap((c) => c.valueFlags)];
  const valueCases = [...new Map(allValueFlags.map((v) => [v.flag, v.choices])).entries()]
    .map(([flag, choices]) =>
      !choices.length
        ? `    ${flag}) COMPREPLY=(); return ;;`
        : LIST_FLAGS.includes(flag)
          ? // a,b,<TAB>: complete the name after the last comma, keeping what comes before it.
            `    ${flag}) compopt +o default 2>/dev/null; [[ "$cur" == *,* ]] && pre="\${cur%,*},"; COMPREPLY=($(compgen -P "$pre" -W "${words(choices)}" -- "\${cur##*,}")); return ;;`
          : `    ${flag}) compopt +o default 2>/dev/null; COMPREPLY=($(compgen -W "${words(choices)}" -- "$cur")); return ;;`,
    )
    .join("\n");
  const subCases = spec.commands
    .flatMap((c) => c.subcommands.map((s) => `    "${c.names[0]} ${s.name}") opts="${words(s.words)}" ;;`))
    .join("\n");
  const cases = spec.commands
    .map((c) => `    ${c.names.join("|")}) opts="${words([...c.words, ...c.flags])}" ;;`)
    .join("\n");
  return `# certwh bash completion
_certwh() {
  local cur prev cmd sub opts i w pre=""
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  # The value of an option: its choices (never file names), or file names (complete -o default).
  case "$prev" in
${valueCases}
  esac
  # The command word, then the word after it (a sub-command such as \`config set\`).
  cmd=""
  sub=""
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    case " ${words(allValueFlags.map((v) => v.flag))} " in *" $w "*) ((i++)); continue ;; esac
    case "$w" in -*) ;; *) if [[ -z "$cmd" ]]; then cmd="$w"; else sub="$w"; break; fi ;; esac
  done
  if [[ -z "$cmd" ]]; then
    COMPREPLY=($(compgen -W "${words(spec.commands.flatMap((c) => c.names))} ${words(spec.globals)}" -- "$cur"))
    return
  fi
  case "$cmd $sub" in
${subCases}
    *)
      case "$cmd" in
${cases.replace(/^/gm, "    ")}
        *) opts="" ;;
      esac ;;
  esac
  COMPREPLY=($(compgen -W "$opts ${words(spec.globals)}" -- "$cur"))
}
complete -o default -F _certwh certwh
`;
}

function zsh(spec: Spec): string {
  const cmds = spec.commands
    .flatMap((c) => c.names.map((n) => `    ${shQuoted(`${n}:${c.description}`)}`))
    .join("\n");
  const allValueFlags = [...spec.globalValueFlags, ...spec.commands.flatMap((c) => c.valueFlags)];
  const cases = spec.commands
    .map(
      (c) =>
        `      ${c.names.join("|")}) compadd -- ${words([...c.words, ...c.flags, ...spec.globals].map((f) => `'${f}'`))} ;;`,
    )
    .join("\n");
  const valueCases = [...new Map(allValueFlags.map((v) => [v.flag, v.choices])).entries()]
    .map(([flag, choices]) =>
      !choices.length
        ? `      ${flag}) _files; return ;;`
        : LIST_FLAGS.includes(flag)
          ? `      ${flag}) _sequence compadd - ${words(choices)}; return ;;`
          : `      ${flag}) compadd -- ${words(choices)}; return ;;`,
    )
    .join("\n");
  const subCases = spec.commands
    .flatMap((c) =>
      c.subcommands.map((s) => `      "${c.names[0]} ${s.name}") compadd -- ${words(s.words)}; return ;;`),
    )
    .join("\n");
  return `#compdef certwh
_certwh() {
  local -a commands
  local cmd="" sub="" i
  commands=(
${cmds}
  )
  case "\${words[CURRENT-1]}" in
${valueCases}
  esac
  for ((i = 2; i < CURRENT; i++)); do
    case " ${words(allValueFlags.map((v) => v.flag))} " in *" \${words[i]} "*) ((i++)); continue ;; esac
    case "\${words[i]}" in -*) ;; *) if [[ -z "$cmd" ]]; then cmd="\${words[i]}"; else sub="\${words[i]}"; break; fi ;; esac
  done
  if [[ -z "$cmd" ]]; then
    _describe 'command' commands
    compadd -- ${words(spec.globals)}
    return
  fi
  case "$cmd $sub" in
${subCases}
  esac
  case "$cmd" in
${cases}
  esac
}
compdef _certwh certwh
`;
}

function fish(spec: Spec): string {
  const lines = ["# certwh fish completion", "complete -c certwh -f"];
  /** The value an option takes: one of its choices, or a file name; nothing for a switch (undefined). */
  const takesValue = (choices: string[] | undefined) =>
    choices === undefined ? "" : choices.length ? ` -x -a '${words(choices)}'` : " -r -F";
  for (const c of spec.commands) {
    const seen = `__fish_seen_subcommand_from ${words(c.names)}`;
    for (const n of c.names)
      lines.push(`complete -c certwh -n '__fish_use_subcommand' -a '${n}' -d ${fishQuoted(c.description)}`);
    if (c.words.length) lines.push(`complete -c certwh -n '${seen}' -a '${words(c.words)}'`);
    for (const s of c.subcommands) {
      const inSub = `${seen}; and __fish_seen_subcommand_from ${s.name}`;
      const args = s.words.filter((w) => !w.startsWith("-"));
      if (args.length) lines.push(`complete -c certwh -n '${inSub}' -a '${words(args)}'`);
    }
    const values = new Map(c.valueFlags.map((v) => [v.flag, v.choices]));
    for (const f of c.flags)
      lines.push(`complete -c certwh -n '${seen}' -l '${f.slice(2)}'${takesValue(values.get(f))}`);
  }
  const globalValues = new Map(spec.globalValueFlags.map((v) => [v.flag, v.choices]));
  for (const f of spec.globals)
    lines.push(`complete -c certwh -l '${f.slice(2)}'${takesValue(globalValues.get(f))}`);
  return `${lines.join("\n")}\n`;
}

export async function run(opts: CompletionFlags, ctx: Pick<CommandContext, "io" | "signal">): Promise<void> {
  // --json promises one JSON document on stdout; a shell script is not one, and `source <(…)` would run it.
  if (ctx.io.json)
    throw new UsageError("completion prints a shell script, not JSON: --json cannot be honoured.", {
      hint: "Drop --json: `certwh completion bash|zsh|fish` writes the script on stdout.",
    });
  const render = { bash, zsh, fish }[opts.shell as "bash" | "zsh" | "fish"];
  if (!render) throw new UsageError(`Unknown shell "${opts.shell}": use bash, zsh or fish.`);
  ctx.io.print(render(completionSpec(opts.program)).trimEnd());
}
