// Everything that interrupts a running command, as one abort of the run's signal: SIGINT, SIGTERM and SIGHUP
// (its terminal closed), a closed stdout or stderr (EPIPE: the reader of `certwh … | head` went away), and the process that started
// certwh going away (a killed CI runner or IDE: certwh would otherwise run on under PID 1). The command
// winds down and says so; a second Ctrl-C exits at once, unless the command asked for `hurry` (listen: it
// then stops waiting for forwards and still reports them; a third exits at once). The handlers are installed
// first thing (main): an interruption while certwh loads the command stops it before it starts, instead of
// the signal killing certwh without a word.

import {
  ExitCode,
  type InterruptCause,
  InterruptedError,
  interruptExitCode,
  interruptMessage,
} from "../errors.js";

/** The signals that stop a command: Ctrl-C, kill, and the terminal closing (its on-exit steps still run). */
const STOP_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
const isStopSignal = (cause: string): cause is (typeof STOP_SIGNALS)[number] =>
  (STOP_SIGNALS as readonly string[]).includes(cause);

/**
 * A signal repeated within this window is the same interruption, not an impatient second Ctrl-C: conf's
 * file writer (atomically → when-exit) re-raises the signal it caught with process.kill.
 */
const REPEAT_WINDOW_MS = 100;
/** How often the parent process is looked for (process.ppid changes when it is gone). */
const PARENT_POLL_MS = 1000;

export class Interrupts {
  private readonly controller = new AbortController();
  private stopWatchingParent: (() => void) | undefined;
  /** A command asked for its signal: it is running and winds down itself. */
  private started = false;
  private hurryController: AbortController | undefined;
  /** When the last interruption that counted arrived (0: none yet). */
  private lastAt = 0;
  private disposed = false;
  /** A closed output seen after the command ended: the exit code is still 141. */
  private lateClosed = false;

  /**
   * Installed by main before the command runs: a closed stdout or stderr is an interruption (exit 141), never
   * an uncaught error, and never a silent exit that skips the command's clean-up.
   */
  watchOutputs(): void {
    const onError = (cause: InterruptCause) => (err: NodeJS.ErrnoException) => {
      if (err.code !== "EPIPE") throw err;
      this.interrupt(cause);
    };
    process.stdout.on("error", onError("stdout_closed"));
    process.stderr.on("error", onError("stderr_closed"));
  }

  /**
   * Installed by main first thing: SIGINT, SIGTERM and a gone parent abort the run's signal from then on.
   * `held`: the signals the launcher caught while it loaded main (bin/certwh.js), handled now.
   */
  watchSignals(held: readonly NodeJS.Signals[] = []): void {
    this.stopWatchingParent = this.install();
    for (const signal of held) if (isStopSignal(signal)) this.interrupt(signal);
  }

  /**
   * The run's signal, asked for by the command as it starts; an interruption that came while certwh was
   * still loading it is thrown instead: the command never starts, so nothing is left half-done.
   */
  get signal(): AbortSignal {
    if (!this.started && this.controller.signal.aborted) throw this.controller.signal.reason;
    this.started = true;
    return this.controller.signal;
  }

  /**
   * For a command whose wind-down ends in a wait it can cut short: asking for this signal makes the second
   * Ctrl-C abort it instead of exiting, so the command can still report what it left unfinished.
   */
  get hurry(): AbortSignal {
    this.hurryController ??= new AbortController();
    return this.hurryController.signal;
  }

  get commandRan(): boolean {
    return this.started;
  }

  get aborted(): boolean {
    return this.controller.signal.aborted;
  }

  get reason(): unknown {
    return this.controller.signal.reason;
  }

  /** The exit code a closed output demands even when the command finished anyway (undefined: none). */
  get closedOutputCode(): number | undefined {
    return this.lateClosed ? ExitCode.sigpipe : undefined;
  }

  /**
   * The command has finished and its outcome is set. The signal handlers stay (they keep nothing alive): a
   * Ctrl-C while the process winds down (output flushing, sockets closing) ends it with that outcome, instead
   * of the signal killing it with 130 after a success was printed.
   */
  dispose(): void {
    this.disposed = true;
    this.stopWatchingParent?.();
  }

  private interrupt(cause: InterruptCause): void {
    const isSignal = isStopSignal(cause);
    const closedOutput = cause === "stdout_closed" || cause === "stderr_closed";
    if (this.disposed || (closedOutput && !this.started)) {
      // No command is running (help, a usage error, or it has finished): nothing to wind down.
      if (isSignal && this.disposed) process.exit(); // with the exit code main has set
      if (!closedOutput) return;
      this.lateClosed = true;
      process.exitCode = ExitCode.sigpipe;
      if (!this.started) setImmediate(() => process.exit(ExitCode.sigpipe));
      return;
    }
    const now = Date.now();
    if (this.lastAt !== 0) {
      // Only a person pressing Ctrl-C again (or a second kill) means "now"; a closed pipe or a gone parent
      // after the first interruption is part of the same stop.
      if (!isSignal || now - this.lastAt < REPEAT_WINDOW_MS) return;
      this.lastAt = now;
      if (this.hurryController && !this.hurryController.signal.aborted) {
        process.stderr.write("\nInterrupted again: not waiting any longer (once more exits at once).\n");
        this.hurryController.abort(new InterruptedError(cause, "cut short by a second interrupt"));
        return;
      }
      process.stderr.write("\nInterrupted again: exiting now.\n");
      process.exit(interruptExitCode(cause));
    }
    this.lastAt = now;
    this.controller.abort(new InterruptedError(cause, interruptMessage(cause)));
  }

  /** Installs the signal handlers for good; returns what stops the parent watch. */
  private install(): () => void {
    for (const signal of STOP_SIGNALS) process.on(signal, () => this.interrupt(signal));
    return watchParent(() => this.interrupt("parent_exited"));
  }
}

/**
 * Calls `gone` once when the process that started this one exits (it is then re-parented: process.ppid
 * changes). Nothing is watched when the parent is already init (a daemon, `setsid -f`, a container's PID 1).
 */
function watchParent(gone: () => void): () => void {
  const parent = process.ppid;
  if (parent <= 1) return () => undefined;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    gone();
  }, PARENT_POLL_MS);
  timer.unref();
  return () => clearInterval(timer);
}
