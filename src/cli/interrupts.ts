// SIGINT/SIGTERM while a command runs: the first aborts the run's signal (the command winds down and
// says so), a second Ctrl-C exits at once. Installed when a command first asks for its signal, so --help
// and usage errors start without them.

import { ExitCode, InterruptedError } from "../errors.js";

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

export class Interrupts {
  private controller: AbortController | undefined;
  private removeHandlers: (() => void) | undefined;

  /** The run's signal; asking for it (a command is running) installs the handlers. */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      this.removeHandlers = installSignalHandlers(this.controller);
    }
    return this.controller.signal;
  }

  get commandRan(): boolean {
    return this.controller !== undefined;
  }

  get aborted(): boolean {
    return this.controller?.signal.aborted === true;
  }

  get reason(): unknown {
    return this.controller?.signal.reason;
  }

  dispose(): void {
    this.removeHandlers?.();
  }
}
