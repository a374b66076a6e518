// event-types and completion: flags and help only (src/cli/program.ts attaches the actions).

import type { Command, FlagsOf } from "./commander.js";

export const eventTypesCommand = (parent: Command) =>
  parent
    .command("event-types")
    .description("List CertCentral's webhook events with one-line descriptions (works offline)")
    .option("--all", "also list events that cannot be subscribed to (test, challenge, approval)", false)
    .addHelpText("after", "\nExamples:\n  $ certwh event-types\n  $ certwh event-types --all --json");
export type EventTypesFlags = FlagsOf<typeof eventTypesCommand>;

export const completionCommand = (parent: Command) =>
  parent
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
    );
/** The shell named by the argument, and the program whose commands and flags the script completes. */
export type CompletionFlags = FlagsOf<typeof completionCommand> & { shell: string; program: Command };
