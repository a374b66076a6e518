// Completion scripts generated from the command table itself, so they never drift from the flags.
// Each script finds the command word by skipping options and the values of options that take one,
// offers sub-commands and argument choices (and `config set <key>`'s values), completes event names for the
// flags that take one, file names only for flags that take a path (`<file>`, `<dir>`), environment
// variable names for `<var>`, and nothing for other values (a number, a URL, a token).

import type { CommandContext } from "../commands/context.js";
import type { AnyCommand, Option } from "../commands/specs/commander.js";
import type { CompletionFlags } from "../commands/specs/misc.js";
import { SETTING_KEYS } from "../config/setting-keys.js";
import { REGION_BASE_URLS } from "../config/types.js";
import { UsageError } from "../errors.js";
import { EVENT_TYPES, SUBSCRIBABLE_EVENTS } from "../events/catalogue.js";
import { SANDBOX_QUIRKS } from "../sandbox/quirks.js";

/**
 * What an option's value completes to: its choices, file names, folder names, environment variable names,
 * or nothing (a number, a URL, a token: a file name there is never right).
 */
type ValueKind = "choices" | "file" | "dir" | "env" | "none";

interface ValueFlag {
  flag: string;
  kind: ValueKind;
  choices: string[];
}

interface CommandSpec {
  names: string[];
  description: string;
  /** The command's own flags (the global ones are offered once, from Spec.globals). */
  flags: string[];
  /** Flags followed by a value, and what that value completes to. */
  valueFlags: ValueFlag[];
  /** Sub-commands (config) or argument choices (completion, trigger, help). */
  words: string[];
  /**
   * A sub-command's argument choices (`config set <key>`) and own flags, and the second argument's choices
   * by the first (`config set region <value>`).
   */
  subcommands: { name: string; words: string[]; flags: string[]; values?: Record<string, string[]> }[];
}

interface Spec {
  globals: string[];
  globalValueFlags: ValueFlag[];
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

/**
 * `config set <key> <value>`: the values of the settings that take one from a list, by key; the others
 * (a URL, a number) complete to nothing, never to setting names.
 */
const SETTING_VALUES: Record<string, Record<string, string[]>> = {
  "config set": { region: Object.keys(REGION_BASE_URLS) },
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

/**
 * The commands whose --event subscribes the webhook, so it offers what a webhook can subscribe to, as
 * --events does; replay's and logs' --event filter what arrived, so every event CertCentral sends.
 */
const SUBSCRIBING_COMMANDS: readonly string[] = ["create", "update-url", "listen"];

/** The names `flag` completes to in `command`, if it takes a name from a list. */
function nameChoices(command: string, flag: string): string[] | undefined {
  if (flag === "--event" && SUBSCRIBING_COMMANDS.includes(command)) return [...SUBSCRIBABLE_EVENTS];
  return NAME_FLAGS[flag];
}

function longFlags(cmd: AnyCommand): string[] {
  return [...cmd.options.map((o) => o.long).filter((f): f is string => Boolean(f)), "--help"];
}

/** What a value without choices completes to, by the name its flag gives it: `<file>`, `<dir>`, `<var>`. */
const KIND_BY_VALUE_NAME: Record<string, ValueKind> = { file: "file", dir: "dir", var: "env" };

function valueFlags(cmd: AnyCommand): ValueFlag[] {
  return cmd.options
    .filter((o: Option) => o.long && (o.required || o.optional))
    .map((o: Option) => {
      const choices = o.argChoices ?? nameChoices(cmd.name(), o.long as string) ?? [];
      const valueName = /[<[]([\w-]+)[>\]]/.exec(o.flags)?.[1] ?? "";
      const kind = choices.length ? "choices" : (KIND_BY_VALUE_NAME[valueName] ?? "none");
      return { flag: o.long as string, kind, choices };
    });
}

/**
 * A flag's choices by command: one entry when every command that has it offers the same names (the global
 * ones included), else one per list with the names of the commands offering it (--event).
 */
function choiceVariants(spec: Spec, flag: string): { names: string[]; choices: string[] }[] {
  const global = spec.globalValueFlags.find((v) => v.flag === flag);
  if (global) return [{ names: [], choices: global.choices }];
  const byList = new Map<string, { names: string[]; choices: string[] }>();
  for (const c of spec.commands) {
    const own = c.valueFlags.find((v) => v.flag === flag);
    if (!own) continue;
    const key = own.choices.join(" ");
    const variant = byList.get(key) ?? { names: [], choices: own.choices };
    variant.names.push(...c.names);
    byList.set(key, variant);
  }
  return [...byList.values()];
}

/**
 * A flag's choices as one shell command (`offer` renders one list), or a \`case "$cmd"\` choosing the list by
 * command when they differ.
 */
function choicesByCommand(spec: Spec, flag: string, offer: (choices: string[]) => string): string {
  const variants = choiceVariants(spec, flag);
  if (variants.length === 1) return offer((variants[0] as { choices: string[] }).choices);
  const branches = variants.map((v) => `${v.names.join("|")}) ${offer(v.choices)} ;;`).join(" ");
  return `case "$cmd" in ${branches} esac`;
}

/** Each value flag once (commands share flags such as --journal), with what its value completes to. */
function uniqueValueFlags(spec: Spec): ValueFlag[] {
  const all = [...spec.globalValueFlags, ...spec.commands.flatMap((c) => c.valueFlags)];
  return [...new Map(all.map((v) => [v.flag, v])).values()];
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
            words: ARGUMENT_CHOICES[`${c.name()} ${s.name()}`] ?? [],
            flags: own(s),
            values: SETTING_VALUES[`${c.name()} ${s.name()}`],
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
const quotedWords = (list: string[]) => words(list.map((w) => `'${w}'`));

/** Text inside a fish single-quoted string: fish accepts \\ and \' there. */
function fishQuoted(text: string): string {
  return `'${text.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

/** Text inside a POSIX/zsh single-quoted string: end the quote, an escaped ', and reopen it. */
function shQuoted(text: string): string {
  return `'${text.replace(/'/g, "'\\''")}'`;
}

/**
 * One `case` branch per kind of value (`--a|--b) …`), `body` giving its commands; none for a kind no flag
 * has (an empty pattern is a syntax error).
 */
function kindCases(flags: ValueFlag[], indent: string, body: Partial<Record<ValueKind, string>>): string[] {
  return Object.entries(body).flatMap(([kind, commands]) => {
    const pattern = flags
      .filter((v) => v.kind === kind)
      .map((v) => v.flag)
      .join("|");
    return pattern ? [`${indent}${pattern}) ${commands} ;;`] : [];
  });
}

function bash(spec: Spec): string {
  const allValueFlags = uniqueValueFlags(spec);
  // Off: no file-name fallback (complete -o default) for a value that is never a file.
  const noFiles = "compopt +o default 2>/dev/null;";
  const choiceCases = allValueFlags
    .filter((v) => v.kind === "choices")
    .map(({ flag }) => {
      const offer = (choices: string[]) =>
        LIST_FLAGS.includes(flag)
          ? // a,b,<TAB>: complete the name after the last comma, keeping what comes before it; a and b
            // are not offered again.
            `[[ "$cur" == *,* ]] && pre="\${cur%,*},"; COMPREPLY=($(compgen -P "$pre" -W "$(for w in ${words(choices)}; do [[ ",$pre" == *",$w,"* ]] || echo "$w"; done)" -- "\${cur##*,}"))`
          : `COMPREPLY=($(compgen -W "${words(choices)}" -- "$cur"))`;
      return `    ${flag}) ${noFiles} ${choicesByCommand(spec, flag, offer)}; return ;;`;
    });
  const valueCases = [
    ...choiceCases,
    ...kindCases(allValueFlags, "    ", {
      file: "COMPREPLY=(); return",
      dir: "compopt +o default -o dirnames 2>/dev/null; COMPREPLY=(); return",
      env: `${noFiles} COMPREPLY=($(compgen -e -- "$cur")); return`,
      none: `${noFiles} COMPREPLY=(); return`,
    }),
  ].join("\n");
  const argValues = (values: Record<string, string[]>) =>
    Object.entries(values)
      .map(([key, list]) => `${key}) COMPREPLY=($(compgen -W "${words(list)}" -- "$cur")) ;;`)
      .join(" ");
  const subCases = spec.commands
    .flatMap((c) =>
      c.subcommands.map((s) =>
        s.values
          ? `    "${c.names[0]} ${s.name}")
      # After the key, its values (nothing for a free-form one); nothing once the value is there.
      if [[ -n "$arg" ]]; then
        ${noFiles} COMPREPLY=()
        if [[ -z "$extra" ]]; then case "$arg" in ${argValues(s.values)} esac; fi
        return
      fi
      opts="${words([...s.words, ...s.flags])}" ;;`
          : // Its one argument, then only its flags (\`config get region <TAB>\` offers no keys again).
            `    "${c.names[0]} ${s.name}") if [[ -n "$arg" ]]; then opts="${words(s.flags)}"; else opts="${words([...s.words, ...s.flags])}"; fi ;;`,
      ),
    )
    .join("\n");
  const cases = spec.commands
    .map(
      (c) =>
        `    ${c.names.join("|")}) if [[ -n "$sub" ]]; then opts="${words(c.flags)}"; else opts="${words([...c.words, ...c.flags])}"; fi ;;`,
    )
    .join("\n");
  return `# certwh bash completion
_certwh() {
  local cur prev cmd sub arg extra opts i w n line pre=""
  local -a cwords=()
  # bash splits COMP_WORDS at ":" and "=" too (COMP_WORDBREAKS): a URL or --flag=value is several words there.
  # Join again the words with no blank between them on the line, up to the cursor (bash-completion's
  # _get_comp_words_by_ref -n =: does this, but it is not always installed).
  line="\${COMP_LINE:0:COMP_POINT}"
  for ((i = 0; i <= COMP_CWORD; i++)); do
    [[ $i == 0 || "$line" == [[:space:]]* ]] && cwords+=("")
    line="\${line#"\${line%%[![:space:]]*}"}"
    w="\${COMP_WORDS[i]}"
    # The word under the cursor: only what is typed before it. A word not on the line (COMP_WORDS set by
    # a wrapper without COMP_LINE): the words as given.
    if [[ $i == "$COMP_CWORD" ]]; then w="$line"
    elif [[ "$line" != "$w"* ]]; then cwords=("\${COMP_WORDS[@]:0:COMP_CWORD+1}"); break; fi
    n=\${#cwords[@]}
    cwords[n-1]+="$w"
    line="\${line:\${#w}}"
  done
  n=\${#cwords[@]}
  cur="\${cwords[n-1]}"
  prev="\${cwords[n-2]}"
  # --flag=value: the value completes as after --flag; bash replaces only what follows the "=".
  if [[ "$cur" == --*=* ]]; then
    prev="\${cur%%=*}"
    cur="\${cur#*=}"
  fi
  # The command word, the word after it (a sub-command such as \`config set\`), then its arguments.
  cmd=""
  sub=""
  arg=""
  extra=""
  for ((i = 1; i < n - 1; i++)); do
    w="\${cwords[i]}"
    case " ${words(allValueFlags.map((v) => v.flag))} " in *" $w "*) ((i++)); continue ;; esac
    case "$w" in -*) ;; *)
      if [[ -z "$cmd" ]]; then cmd="$w"; elif [[ -z "$sub" ]]; then sub="$w"; elif [[ -z "$arg" ]]; then arg="$w"; else extra="$w"; break; fi ;;
    esac
  done
  # The value of an option: its choices (by command where they differ), file or folder names
  # (complete -o default), variable names, or nothing (a number, a URL).
  case "$prev" in
${valueCases}
  esac
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
  const allValueFlags = uniqueValueFlags(spec);
  const cases = spec.commands
    .map(
      (c) =>
        `      ${c.names.join("|")}) if [[ -n "$sub" ]]; then compadd -- ${quotedWords([...c.flags, ...spec.globals])}; else compadd -- ${quotedWords([...c.words, ...c.flags, ...spec.globals])}; fi ;;`,
    )
    .join("\n");
  const choiceCases = allValueFlags
    .filter((v) => v.kind === "choices")
    .map(({ flag }) => {
      const offer = (choices: string[]) =>
        LIST_FLAGS.includes(flag) ? `_sequence compadd - ${words(choices)}` : `compadd -- ${words(choices)}`;
      return `      ${flag}) ${choicesByCommand(spec, flag, offer)}; return ;;`;
    });
  const valueCases = [
    ...choiceCases,
    ...kindCases(allValueFlags, "      ", {
      file: "_files; return",
      dir: "_files -/; return",
      // Only exported variables: certwh reads its environment, not the shell's own variables.
      env: "_parameters -g '*export*'; return",
      none: "return",
    }),
  ].join("\n");
  const argValues = (values: Record<string, string[]>) =>
    Object.entries(values)
      .map(([key, list]) => `${key}) compadd -- ${words(list)} ;;`)
      .join(" ");
  const subCases = spec.commands
    .flatMap((c) =>
      c.subcommands.map((s) =>
        s.values
          ? `      "${c.names[0]} ${s.name}")
        # After the key, its values (nothing for a free-form one); nothing once the value is there.
        if [[ -n "$arg" ]]; then
          if [[ -z "$extra" ]]; then case "$arg" in ${argValues(s.values)} esac; fi
          return
        fi
        compadd -- ${words([...s.words, ...s.flags])}; return ;;`
          : // Its one argument, then only its flags (\`config get region <TAB>\` offers no keys again).
            `      "${c.names[0]} ${s.name}") if [[ -n "$arg" ]]; then compadd -- ${words(s.flags)}; else compadd -- ${words([...s.words, ...s.flags])}; fi; return ;;`,
      ),
    )
    .join("\n");
  return `#compdef certwh
_certwh() {
  local -a commands
  local cmd="" sub="" arg="" extra="" i
  commands=(
${cmds}
  )
  for ((i = 2; i < CURRENT; i++)); do
    case " ${words(allValueFlags.map((v) => v.flag))} " in *" \${words[i]} "*) ((i++)); continue ;; esac
    case "\${words[i]}" in -*) ;; *)
      if [[ -z "$cmd" ]]; then cmd="\${words[i]}"; elif [[ -z "$sub" ]]; then sub="\${words[i]}"; elif [[ -z "$arg" ]]; then arg="\${words[i]}"; else extra="\${words[i]}"; break; fi ;;
    esac
  done
  # The value of an option: its choices (by command where they differ), file or folder names, variable
  # names, or nothing (a number, a URL). In --flag=value, the value completes as after --flag: compset moves
  # the "--flag=" out of what is completed, so it stays on the line.
  local prev="\${words[CURRENT-1]}"
  if [[ "\${words[CURRENT]}" == --*=* ]]; then
    prev="\${words[CURRENT]%%=*}"
    compset -P 1 '*='
  fi
  case "$prev" in
${valueCases}
  esac
  # --flag= of a flag that takes no value: nothing to offer.
  [[ "\${words[CURRENT]}" == --*=* ]] && return
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
# Autoloaded from a file _certwh on $fpath (compinit reads #compdef): this body is the first completion, so
# complete now. Sourced: register the function.
if [[ $funcstack[1] == _certwh || $zsh_eval_context[-1] == loadautofunc ]]; then
  _certwh "$@"
else
  compdef _certwh certwh
fi
`;
}

/** The value an option takes in fish: nothing for a switch (undefined), otherwise by its kind. */
function fishValue(value: ValueFlag | undefined): string {
  if (!value) return "";
  switch (value.kind) {
    case "choices":
      // A comma list (a,b,<TAB>): each name not given yet after what is typed up to the last comma, as bash does.
      return LIST_FLAGS.includes(value.flag)
        ? ` -x -a '(__certwh_list_item ${words(value.choices)})'`
        : ` -x -a '${words(value.choices)}'`;
    case "file":
      return " -r -F";
    case "dir":
      return " -x -a '(__fish_complete_directories)'";
    case "env":
      // Only exported variables (-x): certwh reads its environment, not the shell's own variables.
      return " -x -a '(set -xn)'";
    case "none":
      return " -x";
  }
}

/**
 * fish helpers: the words typed so far that are not options or their values (the command, a sub-command,
 * arguments), as bash's and zsh's loops find them; and a test that they are exactly the words given, so
 * `config set region <TAB>` completes the region's values and nothing else, even after `--profile eu`.
 */
function fishOperandHelpers(spec: Spec): string {
  return `function __certwh_operands
    set -l skip 0
    for w in (commandline -opc)[2..-1]
        if test $skip = 1
            set skip 0
            continue
        end
        switch $w
            case ${words(uniqueValueFlags(spec).map((v) => v.flag))}
                set skip 1
            case '-*'
            case '*'
                echo $w
        end
    end
end
function __certwh_operands_are
    set -l operands (__certwh_operands)
    test "$operands" = "$argv"
end
function __certwh_list_item
    set -l before (string replace -r '[^,]*$' '' -- (commandline -ct))
    set -l given (string split , -- $before)
    for name in $argv
        contains -- $name $given; or echo $before$name
    end
end`;
}

function fish(spec: Spec): string {
  const lines = ["# certwh fish completion", "complete -c certwh -f", fishOperandHelpers(spec)];
  for (const c of spec.commands) {
    const seen = `__fish_seen_subcommand_from ${words(c.names)}`;
    // The command itself, when no word but options and their values comes before it (`--profile x <TAB>`).
    for (const n of c.names)
      lines.push(`complete -c certwh -n '__certwh_operands_are' -a '${n}' -d ${fishQuoted(c.description)}`);
    // A sub-command or an argument, right after the command (`config set <TAB>` offers no sub-commands).
    if (c.words.length)
      for (const n of c.names)
        lines.push(`complete -c certwh -n '__certwh_operands_are ${n}' -a '${words(c.words)}'`);
    for (const s of c.subcommands) {
      if (s.words.length)
        lines.push(
          `complete -c certwh -n '__certwh_operands_are ${c.names[0]} ${s.name}' -a '${words(s.words)}'`,
        );
      // After the key, its values (`config set region <TAB>`); a free-form one completes to nothing.
      for (const [key, list] of Object.entries(s.values ?? {}))
        lines.push(
          `complete -c certwh -n '__certwh_operands_are ${c.names[0]} ${s.name} ${key}' -a '${words(list)}'`,
        );
    }
    const values = new Map(c.valueFlags.map((v) => [v.flag, v]));
    for (const f of c.flags)
      lines.push(`complete -c certwh -n '${seen}' -l '${f.slice(2)}'${fishValue(values.get(f))}`);
  }
  const globalValues = new Map(spec.globalValueFlags.map((v) => [v.flag, v]));
  for (const f of spec.globals)
    lines.push(`complete -c certwh -l '${f.slice(2)}'${fishValue(globalValues.get(f))}`);
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
