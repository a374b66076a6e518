// A forwarder (src/listen/forward.ts) whose results and notices a test reads, for the forward-* unit tests.
import { createForwarder, type ForwarderOptions, type ForwardResult } from "../../src/listen/forward.js";

/** createForwarder with `onResult` and `onNotice` collecting into `results` and `notices`. */
export function watchedForwarder(options: Omit<ForwarderOptions, "onResult" | "onNotice">) {
  const results: ForwardResult[] = [];
  const notices: string[] = [];
  const f = createForwarder({
    ...options,
    onResult: (r) => results.push(r),
    onNotice: (m) => notices.push(m),
  });
  return { f, results, notices };
}
