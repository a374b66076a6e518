// certwh replay: re-deliver journaled events (written by listen) to a URL (--to) and/or run a command per
// event (--exec, listen's contract: event JSON on stdin, CERTWH_* in the environment, no shell), one event
// at a time, oldest first. The journal is streamed, never loaded whole: memory stays flat in its size
// (--limit reads it twice, first to count). The journal never holds the webhook secret, so X-WEBHOOK-KEY is
// sent only when --secret-file or --secret-env provides one. One attempt per event: replay is a manual
// action, the user sees each result. An interrupted replay says what was not sent and how to resume.
//
// The parts, in src/commands/replay/: options.ts (the flags, the resume command), journal-scan.ts (which
// journal, which entries), actions.ts (post, run the command), replay-entries.ts (one entry at a time,
// until interrupted, and its lines) and summary.ts (what the user is told at the end, the exit code).

import { checkExecCommand } from "../listen/preflight.js";
import type { CommandContext } from "./context.js";
import { warnIfCleartextKey } from "./options/flag-warnings.js";
import { resolveSecret } from "./options/secret-source.js";
import { createCommandRunner, createPoster } from "./replay/actions.js";
import { chosenEntries, emptyScanStats, locateJournal } from "./replay/journal-scan.js";
import { parseReplayOptions } from "./replay/options.js";
import { replayEntries } from "./replay/replay-entries.js";
import { reportReplay } from "./replay/summary.js";
import type { ReplayFlags } from "./specs/listen.js";

// The test tables parse argv through the command's module.
export { parseReplayOptions } from "./replay/options.js";

export async function run(
  opts: ReplayFlags,
  ctx: Pick<CommandContext, "io" | "env" | "signal" | "clock" | "settings">,
): Promise<void> {
  const { io } = ctx;
  const selection = parseReplayOptions(opts);
  // As listen: a missing program is a usage error before the journal is read, not one failure per event.
  if (selection.exec) await checkExecCommand(selection.exec.command, ctx.env);
  const secret = (
    await resolveSecret(selection.secret, ctx.env, {
      signal: ctx.signal,
      sendsWebhookSecret: true,
    })
  ).value;
  if (selection.to) warnIfCleartextKey(io, "--to", selection.to, secret !== undefined);
  // --request-timeout, CERTWH_REQUEST_TIMEOUT or the profile; no API key is needed.
  const timeoutMs = (await ctx.settings()).requestTimeoutMs;
  const journalPath = await locateJournal(selection, io, ctx.env);

  const actions = {
    poster: selection.to
      ? createPoster({ url: selection.to, clock: ctx.clock, timeoutMs, secret })
      : undefined,
    runner: selection.exec
      ? createCommandRunner({ argv: selection.exec.argv, clock: ctx.clock, env: ctx.env, secret })
      : undefined,
  };
  const stats = emptyScanStats();
  const outcome = await replayEntries(chosenEntries(journalPath, selection, stats), actions, {
    io,
    signal: ctx.signal,
    journalPath,
  });
  reportReplay({ io, selection, journalPath, stats, outcome, signal: ctx.signal });
}
