// A running sandbox (`certwh sandbox`, or listen's own with --sandbox) announces itself in a runtime file
// (src/config/runtime-file.ts) so `certwh trigger <event>` finds it; the file goes when the run ends,
// however it ends: the command's own cleanup, or the process's exit handler (when Ctrl-C again exits at once).
// A run killed outright leaves the file behind; discover.ts recognises it as stale.

import {
  type RuntimeKind,
  removeRuntimeFile,
  runtimeDir,
  writeRuntimeFile,
} from "../../config/runtime-file.js";
import type { Output } from "../../io/output.js";

interface Announcement {
  /** Remove the file now; safe to call more than once. */
  remove(): void;
}

interface AnnounceOptions {
  kind: RuntimeKind;
  /** The sandbox's base URL (…/services/v2). */
  url: string;
  apiKey: string;
  env: NodeJS.ProcessEnv;
  io: Pick<Output, "warn" | "debug">;
}

/** Write the runtime file. A folder that cannot be written is a warning: trigger --sandbox-url still works. */
export function announce(opts: AnnounceOptions): Announcement {
  const dir = runtimeDir(opts.env);
  let path: string;
  try {
    path = writeRuntimeFile(dir, {
      kind: opts.kind,
      pid: process.pid,
      url: opts.url,
      apiKey: opts.apiKey,
      startedAt: new Date().toISOString(),
    });
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    opts.io.warn(
      `Could not write a runtime file in ${dir} (${reason}): \`certwh trigger\` will need --sandbox-url.`,
    );
    return { remove: () => undefined };
  }
  opts.io.debug(`announced in ${path}`);
  const onExit = () => removeRuntimeFile(path);
  process.on("exit", onExit);
  return {
    remove() {
      process.off("exit", onExit);
      removeRuntimeFile(path);
    },
  };
}

/**
 * listen --sandbox: announce once the webhook is active (an event triggered earlier would not be delivered),
 * from the ready event; `remove` when listen ends.
 */
export function announceWhenReady(
  sandbox: { url: string; apiKey: string },
  env: NodeJS.ProcessEnv,
  io: AnnounceOptions["io"],
): { onEvent(event: { type: string }): void; remove(): void } {
  let announcement: Announcement | undefined;
  return {
    onEvent(event) {
      if (event.type !== "ready" || announcement) return;
      announcement = announce({ kind: "listen-sandbox", url: sandbox.url, apiKey: sandbox.apiKey, env, io });
    },
    remove() {
      announcement?.remove();
    },
  };
}
