import type { Command } from "commander";
import type { Runner } from "../runner.js";

export function register(program: Command, run: Runner): void {
  program
    .command("event-types")
    .description("List CertCentral's webhook events with one-line descriptions (works offline)")
    .option("--all", "also list events that cannot be subscribed to (test, challenge, approval)", false)
    .addHelpText("after", "\nExamples:\n  $ certwh event-types\n  $ certwh event-types --all --json")
    .action((opts, cmd) => run("event-types", opts, cmd));

  program
    .command("completion")
    .description("Print a shell completion script")
    .argument("<shell>", "bash, zsh or fish")
    .addHelpText(
      "after",
      `
Examples:
  $ certwh completion bash > ~/.local/share/bash-completion/completions/certwh
  $ certwh completion zsh > "\${fpath[1]}/_certwh"
  $ certwh completion fish > ~/.config/fish/completions/certwh.fish`,
    )
    .action((shell, opts, cmd) => run("completion", { ...opts, shell, program: cmd.parent }, cmd));
}
