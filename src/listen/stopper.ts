// How a listen session ends: the first of --until satisfied, an interruption (a signal, a closed stdout or
// stderr, the parent process gone), or a fatal error (--timeout, tunnel lost, a failed verification) wins;
// later ones are ignored. Finishing aborts `signal`, which every API call,
// the tunnel start and the token wait of the session listen to.

import { type InterruptCause, InterruptedError, type InterruptSignal } from "../errors.js";

export type StopOutcome =
  | { kind: "until" }
  /** `cause` says what interrupted (SIGINT, SIGTERM, stdout_closed, …); `signal` what it counts as. */
  | { kind: "signal"; signal: InterruptSignal; cause: InterruptCause }
  | { kind: "error"; error: unknown };

export interface Stopper {
  readonly signal: AbortSignal;
  readonly outcome: StopOutcome | undefined;
  readonly done: Promise<StopOutcome>;
  finish(outcome: StopOutcome): void;
}

function interruption(reason: unknown): { signal: InterruptSignal; cause: InterruptCause } {
  return reason instanceof InterruptedError
    ? { signal: reason.signal, cause: reason.interruptedBy }
    : { signal: "SIGINT", cause: "SIGINT" };
}

/** `interrupt` is the process's interruption signal (its reason an InterruptedError). */
export function createStopper(interrupt: AbortSignal): Stopper {
  const controller = new AbortController();
  let outcome: StopOutcome | undefined;
  let resolveDone: (o: StopOutcome) => void = () => undefined;
  const done = new Promise<StopOutcome>((resolve) => {
    resolveDone = resolve;
  });
  const finish = (o: StopOutcome) => {
    if (outcome) return;
    outcome = o;
    resolveDone(o);
    controller.abort(
      o.kind === "signal" ? interrupt.reason : o.kind === "error" ? o.error : new Error("listen finished"),
    );
  };
  const onInterrupt = () => finish({ kind: "signal", ...interruption(interrupt.reason) });
  if (interrupt.aborted) onInterrupt();
  else interrupt.addEventListener("abort", onInterrupt, { once: true });
  void done.then(() => interrupt.removeEventListener("abort", onInterrupt));
  return {
    signal: controller.signal,
    get outcome() {
      return outcome;
    },
    done,
    finish,
  };
}
