// certwh's receiver wired the way `certwh listen` wires it (journal written and flushed before the 200),
// without the tunnel and API steps. Used when listen itself cannot be benchmarked. It imports the sources
// (the journal is no entry of the build), so it runs under tsx.
// Usage: node --import tsx receiver.mjs <secret> <journal-path>; prints {"url": …} on stdout once it listens.
import { journalEntry, openJournal } from "../../src/listen/journal.js";
import { createReceiver } from "../../src/receiver/index.js";

const [secret, journalPath, mode] = process.argv.slice(2);
const journal = await openJournal(journalPath, { sync: mode !== "nosync" });
const receiver = createReceiver({
  path: "/hook",
  secret,
  trustTunnel: true,
  onAccept:
    mode === "nojournal"
      ? undefined
      : (d) =>
          journal.append(
            journalEntry({ body: d.body, event: d.event.name, headers: d.headers, receivedAt: d.receivedAt }),
          ),
});
const server = await receiver.listen();
process.stdout.write(`${JSON.stringify({ url: server.url.href })}\n`);
process.on("SIGTERM", async () => {
  await server.close();
  await journal.close();
  process.exit(0);
});
