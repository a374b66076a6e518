// The default journal moved from the config directory to the state directory: listen and replay move a
// journal left at the former place before they use the default, and say so (once: then nothing is left).

import type { Output } from "../../io/output.js";
import { type JournalKind, moveFormerJournal } from "../../listen/paths.js";

export async function adoptFormerJournal(
  io: Pick<Output, "info" | "warn">,
  env: NodeJS.ProcessEnv,
  kind: JournalKind,
): Promise<void> {
  try {
    const moved = await moveFormerJournal(env, kind);
    if (moved)
      io.info(
        `Moved the journal from ${moved.from} to ${moved.to}: certwh now keeps it with its state ($XDG_STATE_HOME), not its configuration.`,
      );
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    io.warn(
      `Could not move the journal from the config directory${code ? ` (${code})` : ""}; it stays there.`,
    );
  }
}
