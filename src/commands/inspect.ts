// certwh inspect: the web inspector of `certwh listen` over a journal alone (a session that ended). The
// journal is streamed into the inspector's bounded store, then the page serves it until Ctrl-C: browse,
// filter, open a delivery's detail, replay to a URL typed in the page, download the journal.

import { once } from "node:events";
import { describeInterruptCause, InterruptedError, UsageError } from "../errors.js";
import { createDeliveriesStore, createEventFeed, deliveriesApi, startInspector } from "../inspector/index.js";
import { streamJournal } from "../listen/journal-read.js";
import { defaultJournalPath } from "../listen/paths.js";
import type { CommandContext } from "./context.js";
import { parseHttpUrl, parsePort } from "./options/flag-values.js";
import { warnIfCleartextKey } from "./options/flag-warnings.js";
import { resolveSecret } from "./options/secret-source.js";
import { parseSecretSource } from "./options/webhook-flags.js";
import { checkJournal } from "./replay/journal-scan.js";
import type { InspectFlags } from "./specs/listen.js";

export async function run(
  flags: InspectFlags,
  ctx: Pick<CommandContext, "io" | "env" | "signal">,
): Promise<void> {
  const { io } = ctx;
  const port = parsePort("--port", flags.port);
  const to = flags.to !== undefined ? parseHttpUrl("--to", flags.to).href : undefined;
  const source = parseSecretSource(flags, { allowRemove: false });
  const path = flags.journal ?? defaultJournalPath(ctx.env);
  await checkJournal(path, flags.journal === undefined ? defaultJournalPath(ctx.env, "sandbox") : undefined);
  // Read before the page exists; it stays in this process (the replay route adds it as X-WEBHOOK-KEY).
  const secret =
    (await resolveSecret(source, ctx.env, { signal: ctx.signal, sendsWebhookSecret: true })).value ||
    undefined;
  if (to) warnIfCleartextKey(io, "--to", to, secret !== undefined);

  const store = createDeliveriesStore();
  let entries = 0;
  let skipped = 0;
  for await (const record of streamJournal(path)) {
    if (ctx.signal.aborted) return;
    if (record.entry) {
      store.addEntry(record.entry);
      entries++;
    } else skipped++;
  }
  if (skipped > 0) io.warn(`${skipped} line(s) of ${path} are not journal entries; they are left out.`);

  // No live session: the page's /events stream is empty and the deliveries come from the store.
  const feed = createEventFeed();
  const inspector = await startInspector({
    port,
    events: feed.subscribe,
    history: feed.history,
    routes: deliveriesApi(store, { journalPath: path, fromJournal: true, targets: to ? [to] : [], secret }),
    title: "certwh inspect",
    panes: ["deliveries"], // no live session: no session pane
  }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === "EADDRINUSE")
      throw new UsageError(`--port ${port} is already in use on 127.0.0.1.`, {
        hint: "Choose another --port, or leave it out for a free one.",
      });
    throw err;
  });
  try {
    if (io.json) {
      io.ndjson({
        type: "ready",
        inspector_url: inspector.url,
        journal: path,
        deliveries: store.size,
        entries,
      });
    } else {
      const shown = store.size < entries ? ` (the newest ${store.size} of ${entries})` : "";
      io.info(`Inspector for ${path}: ${entries} deliveries${shown}.`);
      io.info(`  Open ${inspector.url}`);
      io.info("  Press Ctrl-C to stop.");
    }
    if (!ctx.signal.aborted) await once(ctx.signal, "abort");
  } finally {
    await inspector.close();
  }
  // Said as the sandbox says it: why the page stopped answering.
  const { reason } = ctx.signal;
  io.info(
    reason instanceof InterruptedError
      ? `Inspector stopped: ${describeInterruptCause(reason.interruptedBy)}.`
      : "Inspector stopped.",
  );
}
