// The deliveries whose bodies the forwarder holds in memory, within its budget of count and bytes: fresh
// ones (never attempted) and due ones (their retry wait is over), which take turns so neither starves.
import type { Delivery } from "./forward-types.js";

/** A delivery whose body is held in memory, with its attempt counts. */
export interface Job {
  delivery: Delivery;
  bytes: number;
  attempts: number;
  /** Failed attempts that count against maxAttempts. */
  counted: number;
}

export class MemoryQueue {
  private readonly fresh: Job[] = [];
  private readonly due: Job[] = [];
  private freshTurn = false;
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
    this.fresh.push({ delivery, bytes, attempts: 0, counted: 0 });
  }

  /** Queue a job again once its retry wait is over. */
  requeue(job: Job): void {
    this.due.push(job);
  }

  /** The job is finished: its body leaves memory. */
  release(job: Job): void {
    this.held--;
    this.heldBytes -= job.bytes;
  }

  next(): Job | undefined {
    if (this.due.length === 0) return this.fresh.shift();
    if (this.fresh.length === 0) return this.due.shift();
    this.freshTurn = !this.freshTurn;
    return this.freshTurn ? this.fresh.shift() : this.due.shift();
  }

  /** Remove every queued job (on close); the caller releases each. */
  takeQueued(): Job[] {
    return [...this.fresh.splice(0), ...this.due.splice(0)];
  }
}
