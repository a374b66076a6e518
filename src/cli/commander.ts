// commander, loaded through require: it is CommonJS, and importing it as ESM makes Node scan its source for
// named exports on every start (a few ms of `certwh --help`). Same module instance either way.
import { createRequire } from "node:module";
import type * as CommanderModule from "commander";

const commander = createRequire(import.meta.url)("commander") as typeof CommanderModule;

export const Command = commander.Command;
export type Command = CommanderModule.Command;
export const Option = commander.Option;
export type Option = CommanderModule.Option;
export const Help = commander.Help;
export type Help = CommanderModule.Help;
export const CommanderError = commander.CommanderError;
export type CommanderError = CommanderModule.CommanderError;
