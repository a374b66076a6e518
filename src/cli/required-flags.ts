// commander checks required flags before unknown ones, so a typo (`verify --tokn x`) was answered "required
// option '--token <token>' not specified", never naming the flag that was mistyped. The required flags are
// checked here instead, just before the action: commander has refused unknown flags by then (with its "Did
// you mean --token?"). Same message and error code as commander's own check.

import type { AnyCommand } from "../commands/specs/commander.js";

/** Installs the check on `program` and every command under it (call once all commands are declared). */
export function checkRequiredFlagsLast(cmd: AnyCommand): void {
  const required = cmd.options.filter((o) => o.mandatory);
  if (required.length > 0) {
    for (const option of required) option.mandatory = false;
    cmd.hook("preAction", (_, action) => {
      if (action !== cmd) return;
      const missing = required.find((o) => cmd.getOptionValue(o.attributeName()) === undefined);
      if (missing)
        cmd.error(`error: required option '${missing.flags}' not specified`, {
          code: "commander.missingMandatoryOptionValue",
        });
    });
  }
  for (const sub of cmd.commands) checkRequiredFlagsLast(sub);
}
