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

/**
 * Refuses `option` when `refusal` words what its value so far (already from the command line) conflicts
 * with. Runs before commander stores the new value.
 */
function refuseBeforeStoring(
  cmd: AnyCommand,
  option: Option,
  refusal: (previous: unknown) => string | undefined,
): void {
  (cmd as unknown as EventEmitter).prependListener(`option:${option.name()}`, () => {
    const name = option.attributeName();
    if (cmd.getOptionValueSource(name) !== "cli") return;
    const message = refusal(cmd.getOptionValue(name));
    if (message) cmd.error(`error: ${message}`, { exitCode: 2, code: "certwh.repeatedOption" });
  });
}

/** Installs the check on `program` and every command under it (call once all commands are declared). */
export function refuseRepeatedFlags(cmd: AnyCommand): void {
  // The flags that set each value (`--journal <path>` and `--no-journal` set `journal`), found once.
  const byValue = new Map<string, Option[]>();
  for (const option of cmd.options) {
    const name = option.attributeName();
    byValue.set(name, [...(byValue.get(name) ?? []), option]);
  }
  for (const option of cmd.options) {
    const flag = option.long ?? option.short ?? option.flags;
    const others = (byValue.get(option.attributeName()) ?? []).filter((o) => o !== option);
    if (takesOneValue(option))
      refuseBeforeStoring(cmd, option, (previous) =>
        typeof previous === "string"
          ? `${flag} was given more than once; it takes one value.`
          : `${flag} and --no-${flag.replace(/^--/, "")} cannot be used together.`,
      );
    // `--journal x --no-journal`: the switch after a value of its own flag contradicts it.
    const valued = option.negate ? others.find((o) => o.required) : undefined;
    if (valued)
      refuseBeforeStoring(cmd, option, (previous) =>
        typeof previous === "string"
          ? `${valued.long} and ${option.long} cannot be used together.`
          : undefined,
      );
    // `--chain --no-chain`: a switch and its opposite; the same switch twice is harmless.
    const opposite =
      option.required || option.optional
        ? undefined
        : others.find((o) => o.negate !== option.negate && !o.required);
    if (opposite)
      refuseBeforeStoring(cmd, option, (previous) =>
        typeof previous === "boolean" && previous !== !option.negate
          ? `${opposite.long} and ${option.long} cannot be used together.`
          : undefined,
      );
  }
  for (const sub of cmd.commands) refuseRepeatedFlags(sub);
}
