// How every command's help looks: the global flags under "Global Options" (gh's INHERITED FLAGS, Stripe's
// "Global Flags"), and no "(default: false)" on switches (absent means off; saying so is noise).

import { type AnyCommand, Help, type Option } from "../commands/specs/commander.js";

/** Help settings for the program; commander copies them to every command declared after this call. */
export function configureHelp(program: AnyCommand): void {
  program.configureHelp({
    showGlobalOptions: true,
    visibleGlobalOptions(cmd) {
      // --version belongs to certwh itself, not to a command.
      return Help.prototype.visibleGlobalOptions.call(this, cmd).filter((o) => o.long !== "--version");
    },
    optionDescription(option) {
      const plain =
        option.isBoolean() && typeof option.defaultValue === "boolean"
          ? (Object.create(option, { defaultValue: { value: undefined } }) as Option)
          : option;
      return Help.prototype.optionDescription.call(this, plain);
    },
  });
}
