// --save-chain: write each event's certificate chain, report it (or why it could not be written), and keep
// the writes under way so drain() and close() can wait for them.

import { fileError, isFsError } from "../util/fs-error.js";
import { saveChain } from "./save-chain.js";
import type { ListenEvent } from "./types.js";

export interface ChainWriter {
  /** Resolves once the chain is written and reported; never rejects (a failure is a warning). */
  write(dir: string, payload: unknown): Promise<void>;
  /** Resolves when the writes under way now are done. */
  settled(): Promise<unknown>;
}

export function createChainWriter(emit: (event: ListenEvent) => void): ChainWriter {
  const writes = new Set<Promise<void>>();
  return {
    write(dir, payload) {
      const job = saveChain(dir, payload).then(
        (saved) => {
          if (!saved) return;
          const orderId = Number(saved.dir.split(/[\\/]/).pop());
          emit({ type: "chain_saved", order_id: orderId, dir: saved.dir, files: saved.files });
        },
        (err: unknown) => emit({ type: "warning", message: chainWarning(err, dir) }),
      );
      writes.add(job);
      void job.finally(() => writes.delete(job));
      return job;
    },
    settled: () => Promise.all([...writes]),
  };
}

function chainWarning(err: unknown, dir: string): string {
  return isFsError(err)
    ? fileError(err, err.path ?? dir, { what: "the certificate chain in", action: "write" }).message
    : `Could not save the certificate chain: ${err instanceof Error ? err.message : String(err)}`;
}
