// Entry point: parse argv, run one command, and turn its outcome into an exit code (the only place
// that does). SIGINT/SIGTERM abort the run's signal once; a second Ctrl-C exits at once.

import { CertwhError, ExitCode, InterruptedError, UsageError } from "../errors.js";
import { fdStream, writeFd } from "../io/fd-stream.js";
import { CommanderError } from "./commander.js";
import { loadReporting } from "./lazy.js";
import { buildProgram } from "./program.js";

// Output (chalk) and the failure table load only when there is a failure to report: --help and
// successful commands that print nothing through Output start faster without them.

/**
 * A signal repeated within this window is the same interruption, not an impatient second Ctrl-C: conf's
 * file writer (atomically → when-exit) re-raises the signal it caught with process.kill.
 */
const REPEAT_WINDOW_MS = 100;

function installSignalHandlers(controller: AbortController): () => void {
  let firstAt = 0;
  const onSignal = (signal: "SIGINT" | "SIGTERM") => {
    const now = Date.now();
    if (firstAt !== 0 && now - firstAt < REPEAT_WINDOW_MS) return;
    if (firstAt !== 0) {
      process.stderr.write("\nInterrupted again: exiting now.\n");
      process.exit(signal === "SIGINT" ? ExitCode.sigint : ExitCode.sigterm);
    }
    firstAt = now;
    controller.abort(new InterruptedError(signal, `Interrupted by ${signal}.`));
  };
  const onInt = () => onSignal("SIGINT");
  const onTerm = () => onSignal("SIGTERM");
  process.on("SIGINT", onInt);
  process.on("SIGTERM", onTerm);
  return () => {
    process.off("SIGINT", onInt);
    process.off("SIGTERM", onTerm);
  };
}

function interruptedExitCode(reason: unknown): number {
  return reason instanceof InterruptedError ? reason.exitCode : ExitCode.sigint;
}

/** commander answers `help <unknown>` with the general help and exit 0; a typo deserves exit 2. */
function rejectHelpForUnknownCommand(program: ReturnType<typeof buildProgram>, argv: string[]): void {
  const [first, name] = argv.slice(2);
  if (first !== "help" || !name || name.startsWith("-")) return;
  const known = program.commands.some((c) => c.name() === name || c.aliases().includes(name));
  if (!known)
    throw new UsageError(`Unknown command "${name}".`, { hint: "Run `certwh --help` for the list." });
}

function wantsJson(argv: string[]): boolean {
  return argv.includes("--json");
}

export async function main(argv: string[]): Promise<void> {
  const controller = new AbortController();
  const removeHandlers = installSignalHandlers(controller);
  let code: number = ExitCode.ok;
  try {
    const program = buildProgram({ signal: controller.signal });
    rejectHelpForUnknownCommand(program, argv);
    await program.parseAsync(argv);
    // The command returned after a signal: it has already wound down and said so (sandbox, listen).
    if (controller.signal.aborted) code = interruptedExitCode(controller.signal.reason);
  } catch (caught) {
    code = await report(controller.signal.aborted ? controller.signal.reason : caught, argv);
  } finally {
    removeHandlers();
  }
  process.exitCode = code;
  // A native handle (the ngrok session, a stuck socket) must not keep a finished CLI alive.
  setTimeout(() => process.exit(code), 1500).unref();
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
      const left = writeFd(1, `${JSON.stringify(document)}\n`);
      if (left) process.stdout.write(left);
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
