// Deadlines of one fixed length (the body deadline) behind a single timer. A timer per request cost about as
// much as the key check under load (insert, cancel, a Timeout object each); with one length for all, the order
// of arming is the order of expiry, so a Set in insertion order is the whole schedule.

interface Deadline {
  /** Called once if the deadline passes before cancel(). */
  readonly onExpire: () => void;
  readonly at: number;
}

export class DeadlineQueue {
  private readonly pending = new Set<Deadline>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly ms: number) {}

  add(onExpire: () => void): Deadline {
    const deadline: Deadline = { onExpire, at: performance.now() + this.ms };
    this.pending.add(deadline);
    if (!this.timer) this.arm(this.ms);
    return deadline;
  }

  cancel(deadline: Deadline): void {
    // The timer stays armed (re-arming per request is what this avoids): when it fires it expires what is due,
    // re-arms for the oldest deadline left, or stops when none is.
    this.pending.delete(deadline);
  }

  private arm(delay: number): void {
    // Unreferenced: a request being read keeps its socket, and so the process, alive; a timer left armed for
    // deadlines already cancelled must not.
    this.timer = setTimeout(() => this.expire(), Math.max(0, delay)).unref();
  }

  private expire(): void {
    this.timer = undefined;
    const now = performance.now();
    for (const deadline of this.pending) {
      if (deadline.at > now) {
        this.arm(Math.ceil(deadline.at - now));
        return;
      }
      this.pending.delete(deadline);
      deadline.onExpire();
    }
  }
}
