// A request's time limit as an abort signal that is sure to fire.
// Not AbortSignal.timeout() inside AbortSignal.any(): Node's timer holds the timeout signal weakly, and
// once it is wrapped in a composite nothing else holds it, so a garbage collection can drop it and the
// request then waits forever (nodejs/node#57736; seen as a replay that never timed out in CI).

interface Deadline {
  readonly signal: AbortSignal;
  /** True once the time ran out (not when `parent` aborted). */
  readonly expired: boolean;
  /** Stop the timer; call it when the work is done. */
  clear(): void;
}

/** Aborts after `ms` with a TimeoutError, or at once when `parent` aborts (with its reason). */
export function deadline(ms: number, parent?: AbortSignal): Deadline {
  const controller = new AbortController();
  let expired = false;
  const onParent = () => controller.abort(parent?.reason);
  const timer = setTimeout(() => {
    expired = true;
    controller.abort(new DOMException(`timed out after ${ms} ms`, "TimeoutError"));
  }, ms);
  if (parent?.aborted) onParent();
  else parent?.addEventListener("abort", onParent, { once: true });
  return {
    signal: controller.signal,
    get expired() {
      return expired;
    },
    clear() {
      clearTimeout(timer);
      parent?.removeEventListener("abort", onParent);
    },
  };
}
