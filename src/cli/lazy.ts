// The code the command table loads only when it is needed: a command with its runtime (context, output,
// failure reporting), or just the failure reporting when no command ran. Start-up (`--help`, `--version`)
// loads none of it.
//
// This is the tsc (ESM) version, used by the library build and in-process tests. The CLI that bin/ runs
// is bundled by scripts/bundle.mjs, which swaps this file for scripts/bundle/lazy.cjs: there each command
// is one CommonJS bundle carrying its own runtime, so a command's context, output and error reporting
// share one redaction registry.

import type { CommandContext } from "./context.js";

export interface CommandModule {
  run(opts: unknown, ctx: CommandContext): Promise<void>;
}

export interface Reporting {
  exitCodes: typeof import("./exit-codes.js");
  output: typeof import("../io/output.js");
}

export interface CommandBundle extends Reporting {
  command: CommandModule;
  context: typeof import("./context.js");
}

export async function loadCommand(name: string): Promise<CommandBundle> {
  const [command, context, output, exitCodes] = await Promise.all([
    import(`../commands/${name}.js`) as Promise<CommandModule>,
    import("./context.js"),
    import("../io/output.js"),
    import("./exit-codes.js"),
  ]);
  return { command, context, output, exitCodes };
}

export async function loadReporting(): Promise<Reporting> {
  const [output, exitCodes] = await Promise.all([import("../io/output.js"), import("./exit-codes.js")]);
  return { output, exitCodes };
}
