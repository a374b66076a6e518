// commander, loaded through require: it is CommonJS, and importing it as ESM makes Node scan its source for
// named exports on every start (a few ms of `certwh --help`). Same module instance either way. Typed with
// @commander-js/extra-typings (types only: its classes are commander's), so a command's `.option()` and
// `.argument()` declarations are also the types of the values its action receives.
import { createRequire } from "node:module";
import type * as Typed from "@commander-js/extra-typings";

const commander = createRequire(import.meta.url)("commander") as typeof Typed;

export const Command = commander.Command;
/** A command; without type arguments, one with no arguments and no flags declared yet (as `new Command()`). */
export type Command<
  Args extends unknown[] = [],
  // biome-ignore lint/complexity/noBannedTypes: extra-typings' own "no flags yet"
  Opts extends Typed.OptionValues = {},
  // biome-ignore lint/complexity/noBannedTypes: extra-typings' own "no flags yet"
  GlobalOpts extends Typed.OptionValues = {},
> = Typed.Command<Args, Opts, GlobalOpts>;
/** Any command, whatever its arguments and flags (e.g. an entry of `program.commands`). */
export type AnyCommand = Typed.CommandUnknownOpts;
export const Option = commander.Option;
export type Option = Typed.Option;
export type OptionValues = Typed.OptionValues;
export const Help = commander.Help;
export type Help = Typed.Help;
export const CommanderError = commander.CommanderError;
export type CommanderError = Typed.CommanderError;

/** The flags a spec's command hands its action, as its `.option()` calls declare them. */
export type FlagsOf<Spec extends (parent: Command) => unknown> =
  ReturnType<Spec> extends Command<infer _Args, infer Opts, infer _Globals> ? Opts : never;

/** Commander's repeatable-flag collector: `--event a --event b` → ["a", "b"]. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
