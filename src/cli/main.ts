// Entry point: parse argv, run one command, and turn its outcome into an exit code (the only place
// that does). SIGINT/SIGTERM abort the run's signal once; a second Ctrl-C exits at once (interrupts.ts).

import { CertwhError, ExitCode, InterruptedError, UsageError } from "../errors.js";
import { fdStream } from "../io/fd-stream.js";
import { CommanderError } from "./commander.js";
import { configure } from "./deferred.js";
import { Interrupts } from "./interrupts.js";
import { loadReporting } from "./lazy.js";
import { buildProgram } from "./program.js";

// Output (chalk) and the failure table load only when there is a failure to report: --help and
// successful commands that print nothing through Output start faster without them.

function interruptedExitCode(reason: unknown): number {
  return reason instanceof InterruptedError ? reason.exitCode : ExitCode.sigint;
}

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

/**
 * `certwh help <command>` (global options anywhere): commander shows that command's help without
 * dispatching to it, so its flags are added here (see deferred.ts). It answers `help <unknown>` with the
 * general help and exit 0; a typo deserves exit 2.
 */
function prepareHelpTarget(program: ReturnType<typeof buildProgram>, argv: string[]): void {
  const [first, name] = operands(program, argv);
  if (first !== "help" || !name) return;
  const target = program.commands.find((c) => c.name() === name || c.aliases().includes(name));
  if (!target)
    throw new UsageError(`Unknown command "${name}".`, { hint: "Run `certwh --help` for the list." });
  configure(target);
}

/**
 * commander's program looks through the whole command line for its own options, so a command's flag value
 * that starts with "-" is taken from it: a challenge token "-Vx…" (tokens are URL-safe base64) would print
 * the version. Such a value is joined to its flag (`--token=-Vx…`), which the program leaves alone.
 */
function joinDashValues(program: ReturnType<typeof buildProgram>, argv: string[]): string[] {
  const [name] = operands(program, argv);
  const command = program.commands.find((c) => c.name() === name || c.aliases().includes(name));
  if (!command) return argv;
  configure(command);
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

function wantsJson(argv: string[]): boolean {
  return argv.includes("--json");
}

export async function main(argv: string[]): Promise<void> {
  const interrupts = new Interrupts();
  let code: number = ExitCode.ok;
  try {
    const program = buildProgram({
      get signal() {
        return interrupts.signal;
      },
    });
    prepareHelpTarget(program, argv);
    await program.parseAsync(joinDashValues(program, argv));
    // The command returned after a signal: it has already wound down and said so (sandbox, listen).
    if (interrupts.aborted) code = interruptedExitCode(interrupts.reason);
  } catch (caught) {
    code = await report(interrupts.aborted ? interrupts.reason : caught, argv);
  } finally {
    interrupts.dispose();
  }
  process.exitCode = code;
  // A native handle (the ngrok session, a stuck socket) must not keep a finished command alive.
  if (interrupts.commandRan) setTimeout(() => process.exit(code), 1500).unref();
}

async function report(err: unknown, argv: string[]): Promise<number> {
  if (err instanceof CommanderError) {
    // Help and version are displayed by commander itself; anything else is a usage error it printed.
    if (err.code === "commander.helpDisplayed" || err.code === "commander.version") return ExitCode.ok;
    if (err.code === "commander.help" || err.exitCode === 0) return ExitCode.ok;
    if (wantsJson(argv)) {
      const { errorDocument } = (await loadReporting()).exitCodes;
      const message = err.message.replace(/^error: /, "");
      const document = errorDocument({ exitCode: ExitCode.usage, code: "usage", message });
      fdStream(1).write(`${JSON.stringify(document)}\n`);
    }
    return ExitCode.usage;
  }
  const { exitCodes, output } = await loadReporting();
  const { describeFailure, errorDocument } = exitCodes;
  const { Output, loadChalk, showsColor } = output;
  const failure = describeFailure(err);
  const color = !process.env.NO_COLOR && !argv.includes("--no-color");
  const stderr = fdStream(2);
  const io = new Output({
    stdout: fdStream(1),
    stderr,
    json: wantsJson(argv),
    color,
    verbose: argv.includes("--verbose"),
    chalk: showsColor(color, stderr) ? await loadChalk() : undefined,
  });
  if (io.json && !(err instanceof CertwhError && err.reported)) {
    io.writeJson(errorDocument(failure));
  }
  io.error(failure.message);
  if (failure.hint) io.hint(failure.hint);
  if (failure.exitCode === ExitCode.internal && io.verbose && err instanceof Error && err.stack) {
    io.info(err.stack);
  }
  return failure.exitCode;
}
