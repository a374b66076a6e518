// The deliveries whose bodies the forwarder holds in memory, within its budget of count and bytes: fresh
// ones (never attempted) and due ones (their retry wait is over). The oldest queued delivery goes first, so
// an app that comes back after an outage gets the events in the order they arrived.
import type { Delivery } from "./forward-types.js";

/** A delivery whose body is held in memory, with its attempt counts. */
export interface Job {
  delivery: Delivery;
  bytes: number;
  attempts: number;
  /** Failed attempts that count against maxAttempts. */
  counted: number;
  /** Arrival order (admit order: the backlog admits in arrival order too). */
  seq: number;
}

export class MemoryQueue {
  private readonly fresh: Job[] = [];
  /** Sorted by seq. */
  private readonly due: Job[] = [];
  private admitted = 0;
  /** Jobs in memory: queued, waiting for a retry and in flight. */
  held = 0;
  heldBytes = 0;

  constructor(
    readonly countLimit: number,
    readonly byteLimit: number,
  ) {}

  get freshCount(): number {
    return this.fresh.length;
  }

  get queued(): number {
    return this.fresh.length + this.due.length;
  }

  /**
   * Whether a body of `bytes` fits the budget, with `reserved` more (count and bytes) promised first; one
   * delivery is always admitted, whatever its size.
   */
  fits(bytes: number, reserved = { count: 0, bytes: 0 }): boolean {
    const held = this.held + reserved.count;
    return (
      held === 0 || (held < this.countLimit && this.heldBytes + reserved.bytes + bytes <= this.byteLimit)
    );
  }

  admit(delivery: Delivery, bytes = Buffer.byteLength(delivery.body)): void {
    this.held++;
    this.heldBytes += bytes;
    this.fresh.push({ delivery, bytes, attempts: 0, counted: 0, seq: ++this.admitted });
  }

  /** Queue a job again once its retry wait is over, in arrival order among the others. */
  requeue(job: Job): void {
    let at = this.due.length;
    while (at > 0 && (this.due[at - 1]?.seq ?? 0) > job.seq) at--;
    this.due.splice(at, 0, job);
  }

  /** The job is finished: its body leaves memory. */
  release(job: Job): void {
    this.held--;
    this.heldBytes -= job.bytes;
  }

  /** The oldest queued job (fresh jobs are in arrival order, due ones sorted). */
  next(): Job | undefined {
    const [fresh, due] = [this.fresh[0], this.due[0]];
    return due && (!fresh || due.seq < fresh.seq) ? this.due.shift() : this.fresh.shift();
  }

  /** The oldest queued job of another delivery than `id` (a probe that tells the app from one event). */
  nextOther(id: string): Job | undefined {
    const fresh = this.fresh.findIndex((j) => j.delivery.id !== id);
    const due = this.due.findIndex((j) => j.delivery.id !== id);
    const [f, d] = [this.fresh[fresh], this.due[due]];
    if (d && (!f || d.seq < f.seq)) return this.due.splice(due, 1)[0];
    return f ? this.fresh.splice(fresh, 1)[0] : undefined;
  }

  /** Remove every queued job (on close); the caller releases each. */
  takeQueued(): Job[] {
    return [...this.fresh.splice(0), ...this.due.splice(0)];
  }
}
