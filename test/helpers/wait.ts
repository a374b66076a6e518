// Bounded waiting for tests: every wait ends at its deadline and after a fixed number of checks, so a
// condition that never comes true fails the test instead of hanging the run.

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export interface PollOptions {
  /** Give up after this long. Default 5000. */
  timeoutMs?: number;
  /** Pause between checks. Default 20. */
  intervalMs?: number;
}

/** A probe's answer: undefined or false means "not yet". */
type Probe<T> = () => T | undefined | false;

/**
 * Checks `probe` until it answers (anything but undefined or false) and resolves with that answer, or with
 * undefined once the time is up. For callers whose own assertion afterwards says what went wrong.
 */
export async function poll<T>(probe: Probe<T>, opts: PollOptions = {}): Promise<T | undefined> {
  const timeoutMs = opts.timeoutMs ?? 5000;
  const intervalMs = opts.intervalMs ?? 20;
  const deadline = Date.now() + timeoutMs;
  const maxChecks = Math.ceil(timeoutMs / intervalMs) + 1;
  for (let i = 0; i < maxChecks; i++) {
    const answer = probe();
    if (answer !== undefined && answer !== false) return answer;
    if (Date.now() >= deadline) break;
    await sleep(intervalMs);
  }
  return undefined;
}

/** Like poll, but running out of time is an error naming `what`. */
export async function waitUntil<T>(probe: Probe<T>, what: string, opts: PollOptions = {}): Promise<T> {
  const answer = await poll(probe, opts);
  if (answer === undefined) throw new Error(`timed out waiting for ${what}`);
  return answer;
}

/**
 * Waits re-checked when something happens (a line arrives, a request comes in) instead of on a timer:
 * the producer calls notify(), and until() resolves once its probe answers. A probe that throws rejects.
 */
export class Notifier {
  private readonly waiters = new Set<() => void>();

  notify(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  until<T>(probe: Probe<T>, timeoutMs: number, onTimeout: () => Error): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const check = () => {
        let answer: T | undefined | false;
        try {
          answer = probe();
        } catch (err) {
          done();
          reject(err);
          return;
        }
        if (answer === undefined || answer === false) return;
        done();
        resolve(answer);
      };
      const timer = setTimeout(() => {
        done();
        reject(onTimeout());
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }
}
