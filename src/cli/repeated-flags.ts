// A flag that takes one value, given twice (`--to a --to b`), is refused (exit 2) instead of commander's
// silent "the last one wins": the user meant one of them, and certwh cannot tell which.

import type { EventEmitter } from "node:events";
import { type AnyCommand, collect, type Option } from "../commands/specs/commander.js";

/**
 * Value flags that may be repeated although they are not declared with `collect`. `--forward-to` is a
 * list flag (one forward per URL; declared with `collect` today): named here too so that it stays
 * repeatable whatever parser its declaration uses.
 */
const REPEATABLE = new Set(["--forward-to"]);

/** List flags collect every value (`--event a --event b`); everything else taking a value takes one. */
function takesOneValue(option: Option): boolean {
  if (!(option.required || option.optional) || option.variadic) return false;
  return option.parseArg !== collect && !REPEATABLE.has(option.long ?? "");
}

function refuseOnSecondValue(cmd: AnyCommand, option: Option): void {
  const flag = option.long ?? option.short ?? option.flags;
  // Runs before commander stores the value: a value already from the command line means a second one.
  (cmd as unknown as EventEmitter).prependListener(`option:${option.name()}`, () => {
    if (cmd.getOptionValueSource(option.attributeName()) !== "cli") return;
    const previous = cmd.getOptionValue(option.attributeName());
    const negation = `--no-${flag.replace(/^--/, "")}`;
    cmd.error(
      typeof previous === "string"
        ? `error: ${flag} was given more than once; it takes one value.`
        : `error: ${flag} and ${negation} cannot be used together.`,
      { exitCode: 2, code: "certwh.repeatedOption" },
    );
  });
}

/** `--journal x --no-journal`: the switch after a value of its own flag contradicts it. */
function refuseNegationAfterValue(cmd: AnyCommand, negation: Option, valued: Option): void {
  (cmd as unknown as EventEmitter).prependListener(`option:${negation.name()}`, () => {
    const name = negation.attributeName();
    if (cmd.getOptionValueSource(name) === "cli" && typeof cmd.getOptionValue(name) === "string")
      cmd.error(`error: ${valued.long} and ${negation.long} cannot be used together.`, {
        exitCode: 2,
        code: "certwh.repeatedOption",
      });
  });
}

/** Installs the check on `program` and every command under it (call once all commands are declared). */
export function refuseRepeatedFlags(cmd: AnyCommand): void {
  for (const option of cmd.options) {
    if (takesOneValue(option)) refuseOnSecondValue(cmd, option);
    const valued = option.negate
      ? cmd.options.find((o) => o !== option && o.attributeName() === option.attributeName() && o.required)
      : undefined;
    if (valued) refuseNegationAfterValue(cmd, option, valued);
  }
  for (const sub of cmd.commands) refuseRepeatedFlags(sub);
}
