// Entry point: parse argv, run one command, and turn its outcome into an exit code (the only place
// that does). SIGINT/SIGTERM abort the run's signal once; a second Ctrl-C exits at once.

import { CertwhError, ExitCode, InterruptedError } from "../errors.js";
import { CommanderError } from "./commander.js";
import { buildProgram } from "./program.js";

// Output (chalk) and the failure table load only when there is a failure to report: --help and
// successful commands that print nothing through Output start faster without them.

function installSignalHandlers(controller: AbortController): () => void {
  let interrupts = 0;
  const onSignal = (signal: "SIGINT" | "SIGTERM") => {
    interrupts += 1;
    if (interrupts > 1) {
      process.stderr.write("\nInterrupted again: exiting now.\n");
      process.exit(signal === "SIGINT" ? ExitCode.sigint : ExitCode.sigterm);
    }
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

/** `certwh … | head` closes stdout early: that is not an error worth a stack trace. */
function exitQuietlyOnBrokenPipe(): void {
  process.stdout.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw err;
  });
}

function wantsJson(argv: string[]): boolean {
  return argv.includes("--json");
}

export async function main(argv: string[]): Promise<void> {
  const controller = new AbortController();
  const removeHandlers = installSignalHandlers(controller);
  exitQuietlyOnBrokenPipe();
  let code: number = ExitCode.ok;
  try {
    const program = buildProgram({ signal: controller.signal });
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
    return ExitCode.usage;
  }
  const [{ describeFailure }, { Output }] = await Promise.all([
    import("./exit-codes.js"),
    import("../io/output.js"),
  ]);
  const failure = describeFailure(err);
  const io = new Output({
    stdout: process.stdout,
    stderr: process.stderr,
    json: wantsJson(argv),
    color: !process.env.NO_COLOR && !argv.includes("--no-color"),
    verbose: argv.includes("--verbose"),
  });
  if (io.json && !(err instanceof CertwhError && err.reported)) {
    io.writeJson({ error: { exit_code: failure.exitCode, code: failure.code, message: failure.message } });
  }
  io.error(failure.message);
  if (failure.hint) io.hint(failure.hint);
  if (failure.exitCode === ExitCode.internal && io.verbose && err instanceof Error && err.stack) {
    io.info(err.stack);
  }
  return failure.exitCode;
}
