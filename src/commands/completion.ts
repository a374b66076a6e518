// Completion scripts generated from the command table itself, so they never drift from the flags.

import type { Command } from "commander";
import type { CommandContext } from "../cli/context.js";
import { buildProgram } from "../cli/program.js";
import { UsageError } from "../errors.js";

export interface CompletionOptions {
  shell: string;
}

interface Spec {
  globals: string[];
  commands: { name: string; description: string; flags: string[] }[];
}

function longFlags(cmd: Command): string[] {
  return cmd.options.map((o) => o.long).filter((f): f is string => Boolean(f));
}

export function completionSpec(program: Command): Spec {
  return {
    globals: [...longFlags(program), "--help"],
    commands: program.commands.map((c) => ({
      name: c.name(),
      description: c.description().replace(/'/g, ""),
      flags: [...longFlags(c), "--help"],
    })),
  };
}

function bash(spec: Spec): string {
  const cases = spec.commands.map((c) => `    ${c.name}) opts="${c.flags.join(" ")}" ;;`).join("\n");
  return `# certwh bash completion
_certwh() {
  local cur cmd opts i
  cur="\${COMP_WORDS[COMP_CWORD]}"
  cmd=""
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in -*) ;; *) cmd="\${COMP_WORDS[i]}"; break ;; esac
  done
  if [[ -z "$cmd" ]]; then
    COMPREPLY=($(compgen -W "${spec.commands.map((c) => c.name).join(" ")} ${spec.globals.join(" ")}" -- "$cur"))
    return
  fi
  case "$cmd" in
${cases}
    *) opts="" ;;
  esac
  COMPREPLY=($(compgen -W "$opts ${spec.globals.join(" ")}" -- "$cur"))
}
complete -o default -F _certwh certwh
`;
}

function zsh(spec: Spec): string {
  const cmds = spec.commands.map((c) => `    '${c.name}:${c.description}'`).join("\n");
  const cases = spec.commands
    .map(
      (c) =>
        `      ${c.name}) _values 'flags' ${[...c.flags, ...spec.globals].map((f) => `'${f}'`).join(" ")} ;;`,
    )
    .join("\n");
  return `#compdef certwh
_certwh() {
  local -a commands
  commands=(
${cmds}
  )
  if (( CURRENT == 2 )); then
    _describe 'command' commands
    return
  fi
  case "\${words[2]}" in
${cases}
  esac
}
compdef _certwh certwh
`;
}

function fish(spec: Spec): string {
  const lines = ["# certwh fish completion", "complete -c certwh -f"];
  for (const c of spec.commands) {
    lines.push(`complete -c certwh -n '__fish_use_subcommand' -a '${c.name}' -d '${c.description}'`);
    for (const f of c.flags) {
      lines.push(`complete -c certwh -n '__fish_seen_subcommand_from ${c.name}' -l '${f.slice(2)}'`);
    }
  }
  for (const f of spec.globals) lines.push(`complete -c certwh -l '${f.slice(2)}'`);
  return `${lines.join("\n")}\n`;
}

export async function run(
  opts: CompletionOptions,
  ctx: Pick<CommandContext, "io" | "signal">,
): Promise<void> {
  const spec = completionSpec(buildProgram({ signal: ctx.signal }));
  const render = { bash, zsh, fish }[opts.shell as "bash" | "zsh" | "fish"];
  if (!render) throw new UsageError(`Unknown shell "${opts.shell}": use bash, zsh or fish.`);
  ctx.io.print(render(spec).trimEnd());
}
