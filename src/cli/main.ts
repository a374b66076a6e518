// Entry point: parse argv, run one command, and turn its outcome into an exit code (the only place
// that does). SIGINT/SIGTERM abort the run's signal once (from the start: a command interrupted while it
// loads does not start); a second Ctrl-C exits at once, or for listen stops its final waits (interrupts.ts).

import { CommanderError } from "../commands/specs/commander.js";
import type { GlobalFlags } from "../config/types.js";
import { CertwhError, ExitCode, InterruptedError, UsageError } from "../errors.js";
import { Interrupts } from "./interrupts.js";
import { buildProgram, hideOptionValue } from "./program.js";

/** The words of the command line that are not options or their values, up to `--`. */
function operands(program: ReturnType<typeof buildProgram>, argv: string[]): string[] {
  const words: string[] = [];
  for (let i = 2; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") break;
    if (!arg.startsWith("-") || arg === "-") {
      words.push(arg);
      continue;
    }
    // A global option that takes a value (--profile x) hides that value; --profile=x does not.
    const option = program.options.find((o) => o.long === arg || o.short === arg);
    if (option?.required || option?.optional) i++;
  }
  return words;
}

const findCommand = (program: ReturnType<typeof buildProgram> | undefined, name: string | undefined) =>
  program?.commands.find((c) => c.name() === name || c.aliases().includes(name as string));

/**
 * `certwh help <command>`: commander answers `help <unknown>` with the general help and exit 0; a typo
 * deserves exit 2.
 */
async function checkHelpTarget(program: ReturnType<typeof buildProgram>, argv: string[]): Promise<void> {
  const [first, name] = operands(program, argv);
  if (first !== "help" || !name) return;
  if (findCommand(program, name)) return;
  const { suggestEventNames } = await import("../events/suggest.js");
  const names = program.commands.map((c) => c.name());
  const near = suggestEventNames(name, names.map(asWords)).map((n) => names.find((c) => asWords(c) === n));
  throw new UsageError(`Unknown command "${name}".`, {
    hint: near.length > 0 ? `Did you mean ${near.join(" or ")}?` : undefined,
  });
}

/** A command's name as the suggester compares words (`update-url` → `update_url`). */
const asWords = (name: string) => name.replace(/-/g, "_");

/**
 * commander's program looks through the whole command line for its own options, so a command's flag value
 * that starts with "-" is taken from it: a challenge token "-Vx…" (tokens are URL-safe base64) would print
 * the version. Such a value is joined to its flag (`--token=-Vx…`), which the program leaves alone.
 */
function joinDashValues(program: ReturnType<typeof buildProgram>, argv: string[]): string[] {
  const [name] = operands(program, argv);
  const command = findCommand(program, name);
  if (!command) return argv;
  const joined = argv.slice(0, 2);
  for (let i = 2; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") return [...joined, ...argv.slice(i)];
    const value = argv[i + 1];
    const takesValue = command.options.some((o) => o.long === arg && o.required);
    if (takesValue && value?.startsWith("-")) {
      joined.push(`${arg}=${value}`);
      i++;
    } else joined.push(arg);
  }
  return joined;
}

/** The options this command line can use: the global ones, the command's and its sub-commands'. */
function optionsInReach(program: ReturnType<typeof buildProgram>, argv: string[]) {
  const command = findCommand(program, operands(program, argv)[0]);
  return [program, ...(command ? [command, ...command.commands] : [])].flatMap((c) => c.options);
}

/**
 * A value flag directly followed by one of certwh's own flags has lost its value (`--token $T --json` with
 * an empty T): taking `--json` as the token would spend a check-challenge on it, while the error came out as
 * JSON anyway. Refused before anything runs; a value that really is such a word is joined: `--token=--json`.
 */
function refuseMissingValues(program: ReturnType<typeof buildProgram>, argv: string[]): void {
  const options = optionsInReach(program, argv);
  // Only flags that need a value: an optional one ([value]) already leaves a following flag alone.
  const takesValue = new Set(options.filter((o) => o.required).flatMap((o) => [o.long, o.short]));
  // Its own flags, short ones too (-y, -h), and `--`, the end of the options, which is never a value either.
  const own = new Set(["--", "--help", "-h", ...options.flatMap((o) => [o.long, o.short])]);
  for (let i = 2; i < argv.length - 1; i++) {
    const arg = argv[i];
    if (arg === "--") return;
    if (!takesValue.has(arg)) continue;
    const next = argv[i + 1];
    if (own.has(next.split("=")[0])) {
      // Worded for what follows: a long flag (--json), a short one (-y), or `--`, which is no flag at all.
      const what = next === "--" ? "-- ends the options" : `${next} is one of certwh's flags`;
      throw new UsageError(`${arg} needs a value; ${what}.`, {
        hint: `A value that starts with "-" is joined to its flag with "=": ${arg}=${next}.`,
      });
    }
    i++;
  }
}

/** A switch given on the command line itself (before any `--`), as the program reads it. */
function switchGiven(argv: string[], flag: string): boolean {
  const end = argv.indexOf("--");
  return (end === -1 ? argv : argv.slice(0, end)).includes(flag);
}

/**
 * `certwh help config set`: commander's help command takes one word, so it would show `config`'s help. A
 * sub-command named after it is asked for its own help instead (`certwh config set --help`).
 */
function helpForSubcommand(program: ReturnType<typeof buildProgram>, argv: string[]): string[] {
  const [first, name, sub] = operands(program, argv);
  const command = first === "help" ? findCommand(program, name) : undefined;
  if (!command || !sub || !command.commands.some((c) => c.name() === sub)) return argv;
  return [...argv.slice(0, 2), name as string, sub, "--help"];
}

/**
 * argv as commander is handed it: flag values that start with "-" joined to their flags; a value flag
 * followed by one of certwh's own flags is a usage error (UsageError).
 */
export function commandLine(program: ReturnType<typeof buildProgram>, argv: string[]): string[] {
  argv = helpForSubcommand(program, argv);
  refuseMissingValues(program, argv);
  return joinDashValues(program, argv);
}

/** The exit code of commander's own outcomes: 0 for help and version, otherwise a usage error. */
export function commanderExitCode(err: CommanderError): number {
  // commander exits 0 for --help and --version, but 1 for the help a command without its subcommand shows.
  return err.code === "commander.help" || err.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
}

/** `heldSignals`: SIGINT or SIGTERM that came while bin/certwh.js loaded this module, handled at once. */
export async function main(argv: string[], heldSignals: readonly NodeJS.Signals[] = []): Promise<void> {
  const interrupts = new Interrupts();
  // Before anything else: Ctrl-C while the command loads is the same orderly interruption as later.
  interrupts.watchSignals(heldSignals);
  // `certwh … | head` closes stdout early: an interruption (exit 141), not an error worth a stack trace.
  interrupts.watchOutputs();
  let code: number = ExitCode.ok;
  const program = buildProgram({
    get signal() {
      return interrupts.signal;
    },
    hurry: () => interrupts.hurry,
  });
  try {
    await checkHelpTarget(program, argv);
    await program.parseAsync(commandLine(program, argv));
    // The command returned after a signal: it has already wound down and said so (sandbox, listen).
    if (interrupts.aborted) {
      const { reason } = interrupts;
      code = reason instanceof InterruptedError ? reason.exitCode : ExitCode.sigint;
    }
  } catch (caught) {
    // A command that knows the state it leaves rethrows the interruption with its resume hint.
    const interruption = caught instanceof InterruptedError ? caught : interrupts.reason;
    code = await report(
      interrupts.aborted ? interruption : caught,
      argv,
      commandName(program, argv),
      program,
    );
  } finally {
    interrupts.dispose();
  }
  process.exitCode = interrupts.closedOutputCode ?? code;
  // A native handle (the ngrok session, a stuck socket) must not keep a finished command alive; output still
  // on its way to a slow reader must not be cut off (pipes are written asynchronously).
  if (interrupts.commandRan) exitOnceFlushed(() => interrupts.closedOutputCode ?? code, 1500);
}

/** Exits after `delayMs`, or later once stdout and stderr have written everything they hold. */
function exitOnceFlushed(code: () => number, delayMs: number): void {
  const pending = (s: NodeJS.WriteStream) => !s.destroyed && s.writableLength > 0;
  setTimeout(() => {
    if (pending(process.stdout) || pending(process.stderr)) exitOnceFlushed(code, 100);
    else process.exit(code());
  }, delayMs).unref();
}

/** The command the command line names (`config` for `config set …`), if it is one certwh has. */
function commandName(program: ReturnType<typeof buildProgram>, argv: string[]): string | undefined {
  const [first, second] = operands(program, argv);
  const name = first === "help" ? second : first;
  return findCommand(program, name)?.name();
}

/** What to do instead of an unknown `--flag=value`: keys have no flag; a switch takes no value. */
function unknownOptionHint(message: string, isSwitch: (flag: string) => boolean): string | undefined {
  const [, flag = "", value] = /unknown option '(-{1,2}[^=']+)(=)?/.exec(message) ?? [];
  if (/^--(api-?key|key|devkey)$/i.test(flag))
    return "certwh takes no API key on the command line (it would show in `ps`): export CERTWH_API_KEY, or run `certwh login`.";
  return value && isSwitch(flag) ? `${flag} is a switch: give it without a value.` : undefined;
}

/**
 * commander's error as one line: its suggestion, on a line of its own, joins the sentence
 * (`unknown command 'stauts' (did you mean status?)`).
 */
function oneLine(message: string): string {
  return message.replace(/\s*\n\(Did you mean /g, " (did you mean ").replace(/\s*\n\s*/g, " ");
}

/**
 * commander's parse error as certwh's own usage error, shown (and written as JSON) as every other one:
 * `error: unknown option '--jsn'\n(Did you mean --json?)` → `Unknown option '--jsn' (did you mean --json?)`.
 */
export function commanderUsageError(err: CommanderError, hint?: string): UsageError {
  const line = oneLine(hideOptionValue(err.message).replace(/^error: /, "")).trim();
  const sentence = line.charAt(0).toUpperCase() + line.slice(1);
  return new UsageError(/[.?!)]$/.test(sentence) ? sentence : `${sentence}.`, { hint });
}

/** The help commander shows a command line naming no command (`certwh --json`, `certwh config`), exit 1. */
const isMissingCommand = (err: CommanderError) => err.code === "commander.help" && err.exitCode !== 0;

function missingCommand(program: ReturnType<typeof buildProgram> | undefined, command: string | undefined) {
  const names = findCommand(program, command)?.commands.map((c) => c.name());
  return names
    ? new UsageError(`No command given: \`certwh ${command}\` needs one of ${names.join(", ")}.`)
    : new UsageError("No command given: `certwh --json` needs one, e.g. `certwh status --json`.");
}

/** The pointer that ends every parse error: where the command's flags are explained. */
function helpPointer(command: string | undefined): string {
  return command ? `See \`certwh help ${command}\`.` : "See `certwh help`.";
}

/** The login that stores a key where this command line looks: its --profile (or CERTWH_PROFILE) kept. */
async function loginFor(program: ReturnType<typeof buildProgram> | undefined): Promise<string> {
  const { loginLine } = await import("../commands/options/login-line.js");
  const globals = (program?.opts() ?? {}) as Partial<GlobalFlags>;
  const profile = globals.profile || process.env.CERTWH_PROFILE || undefined;
  return loginLine({ ...globals, profile: profile === "default" ? undefined : profile });
}

async function report(
  err: unknown,
  argv: string[],
  command: string | undefined,
  program?: ReturnType<typeof buildProgram>,
): Promise<number> {
  // The same reading as commandLine's: a value flag never takes --json as its value (refuseMissingValues).
  const json = switchGiven(argv, "--json");
  // A script asking for JSON gets a document, not help: naming no command is its usage mistake.
  if (json && err instanceof CommanderError && isMissingCommand(err))
    return report(missingCommand(program, command), argv, command, program);
  if (err instanceof CommanderError) {
    // Help and version are displayed by commander itself; anything else is a usage error, reported below.
    if (commanderExitCode(err) === ExitCode.ok) return ExitCode.ok;
    // No command named: commander has shown the help of what was named (`certwh config`).
    if (isMissingCommand(err)) {
      process.stderr.write(`${helpPointer(command)}\n`);
      return ExitCode.usage;
    }
    const isSwitch = (flag: string) =>
      [...(program?.options ?? []), ...(findCommand(program, command)?.options ?? [])].some(
        (o) => o.long === flag && o.isBoolean(),
      );
    const hint =
      err.code === "commander.unknownOption" ? unknownOptionHint(err.message, isSwitch) : undefined;
    return report(commanderUsageError(err, hint), argv, command, program);
  }
  const { describeFailure, jsonError } = await import("../io/exit-codes.js");
  const { Output, loadChalk, colourOn } = await import("../io/output.js");
  const failure = describeFailure(err, { command, login: await loginFor(program) });
  const stderr = process.stderr;
  const color = colourOn(!switchGiven(argv, "--no-color"), process.env, stderr);
  const io = new Output({
    stdout: process.stdout,
    stderr,
    json,
    color,
    verbose: switchGiven(argv, "--verbose"),
    chalk: color ? await loadChalk() : undefined,
  });
  if (io.json && !(err instanceof CertwhError && err.reported)) io.writeJson(jsonError(command, failure));
  io.error(failure.message);
  if (failure.hint) io.hint(failure.hint);
  // A flag's value refused by the command, as commander's own parse errors: where the flags are explained.
  if (failure.exitCode === ExitCode.usage && failure.code === "usage") io.info(helpPointer(command));
  if (failure.exitCode === ExitCode.internal && io.verbose && err instanceof Error && err.stack)
    io.info(err.stack);
  return failure.exitCode;
}
