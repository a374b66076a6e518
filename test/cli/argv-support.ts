// argv → the program that ships → the typed flags a command's run would receive. The runner is swapped for
// one that records the call (gh's NewCmdX(f, runF)), so nothing runs, reads or sends.
import assert from "node:assert/strict";
import { commanderExitCode, commandLine } from "../../src/cli/main.js";
import { buildProgram, type CommandFlags, type CommandName, type Runner } from "../../src/cli/program.js";
import { type AnyCommand, CommanderError } from "../../src/commands/specs/commander.js";
import type { GlobalFlags } from "../../src/config/types.js";
import { ExitCode } from "../../src/errors.js";

export interface Call<N extends CommandName = CommandName> {
  name: N;
  flags: CommandFlags[N];
  globals: GlobalFlags;
}

function silence(cmd: AnyCommand): void {
  cmd.configureOutput({ writeOut: () => {}, writeErr: () => {} });
  for (const sub of cmd.commands) silence(sub);
}

/** The call argv makes (argv without "node certwh"), or the CommanderError it throws. */
export function parseArgv(argv: string[]): Call {
  let call: Call | undefined;
  const record: Runner = async (name, flags, globals) => {
    call = { name, flags, globals } as Call;
  };
  const program = buildProgram({ signal: new AbortController().signal, env: {} }, record);
  silence(program);
  program.parse(commandLine(program, ["node", "certwh", ...argv]), { from: "node" });
  assert.ok(call, `${argv.join(" ")}: an action ran`);
  return call;
}

/** The flags `name`'s run would receive for argv. */
export function flagsOf<N extends CommandName>(name: N, argv: string[]): CommandFlags[N] {
  const call = parseArgv(argv);
  assert.equal(call.name, name, argv.join(" "));
  return call.flags as CommandFlags[N];
}

/** argv is refused before any command runs, on the exit-2 path of main; returns commander's message. */
export function usageError(argv: string[]): string {
  let message = "";
  assert.throws(
    () => parseArgv(argv),
    (e) => {
      assert.ok(e instanceof CommanderError, `${argv.join(" ")}: ${e}`);
      assert.equal(commanderExitCode(e), ExitCode.usage, argv.join(" "));
      message = e.message;
      return true;
    },
    argv.join(" "),
  );
  return message;
}
