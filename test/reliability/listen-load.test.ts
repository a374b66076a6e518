// Load with faults (issue 5): 10,000 events at concurrency 50 through `certwh listen --sandbox --json` with
// the journal on, while the --forward-to target fails every other request. Every event answered 200 is in the
// journal exactly once; every one gets exactly one final forward result; and once the target has recovered,
// every one reaches it: live, or through `certwh replay` from the journal for those listen gave up on.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { readJournal } from "../../src/listen/journal.js";
import { runCli } from "../helpers/cli.js";
import { type Line, orderIdOf, postEvents, startListen } from "./listen-support.js";

const EVENTS = 10_000;
const CONCURRENCY = 50;

interface Target {
  url: string;
  /** order_id → deliveries answered 200 */
  delivered: Map<number, number>;
  requests: number;
  healthy: boolean;
  close(): Promise<void>;
}

/** The app behind --forward-to: answers 503 to every other request until it is healthy again. */
async function startFlakyTarget(): Promise<Target> {
  const target: Target = {
    url: "",
    delivered: new Map(),
    requests: 0,
    healthy: false,
    close: async () => undefined,
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      target.requests++;
      if (!target.healthy && target.requests % 2 === 0) {
        res.writeHead(503).end("down");
        return;
      }
      const orderId = orderIdOf(Buffer.concat(chunks).toString("utf8"));
      if (orderId !== undefined) target.delivered.set(orderId, (target.delivered.get(orderId) ?? 0) + 1);
      res.writeHead(200).end("ok");
    });
  });
  server.keepAliveTimeout = 10_000;
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  target.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`;
  target.close = () =>
    new Promise<void>((r) => {
      server.close(() => r());
      server.closeAllConnections();
    });
  return target;
}

const finalForwards = (lines: Line[]) => lines.filter((l) => l.type === "forward" && l.final === true);

test(`${EVENTS} events at concurrency ${CONCURRENCY}, journal on, forward target failing half the time`, async (t) => {
  const target = await startFlakyTarget();
  t.after(() => target.close());
  const listen = await startListen(t, ["--forward-to", target.url]);

  const started = Date.now();
  const load = await postEvents(listen.url, listen.secret, {
    count: EVENTS,
    concurrency: CONCURRENCY,
    firstOrderId: 1,
    timeoutMs: 90_000,
  });
  const loadMs = Date.now() - started;
  assert.deepEqual(load.failed, [], "deliveries not answered 200");
  assert.equal(load.ok.length, EVENTS);
  target.healthy = true;

  // Every accepted event gets exactly one final forward result (delivered, failed, or refused when full).
  const issued = (l: Line) => l.type === "event" && l.event === "certificate_issued";
  const deadline = Date.now() + 60_000;
  while (finalForwards(listen.lines).length < EVENTS && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
  }
  const finals = finalForwards(listen.lines);
  assert.equal(listen.lines.filter(issued).length, EVENTS, "one event line per accepted delivery");
  assert.equal(finals.length, EVENTS, "one final forward result per event");
  const finalIds = new Set(finals.map((l) => String(l.id)));
  assert.equal(finalIds.size, EVENTS, "an event got two final forward results");

  // The journal: every event answered 200, exactly once; nothing unreadable.
  const journal = await readJournal(listen.journal);
  assert.deepEqual(journal.skipped, []);
  const journaled = new Map<number, number>();
  for (const entry of journal.entries) {
    const orderId = orderIdOf(entry.body);
    if (orderId !== undefined) journaled.set(orderId, (journaled.get(orderId) ?? 0) + 1);
  }
  for (const orderId of load.ok)
    assert.equal(journaled.get(orderId), 1, `order ${orderId} journaled ×${journaled.get(orderId) ?? 0}`);
  assert.equal(journaled.size, EVENTS);

  // Whatever listen gave up on is replayed from the journal, now that the target is healthy.
  const gaveUp = finals.filter((l) => l.ok !== true).map((l) => String(l.id));
  for (let i = 0; i < gaveUp.length; i += 1000) {
    const ids = gaveUp.slice(i, i + 1000).flatMap((id) => ["--id", id]);
    const replay = await runCli(
      ["replay", "--journal", listen.journal, "--to", target.url, ...ids, "--json"],
      {
        timeoutMs: 60_000,
      },
    );
    assert.equal(replay.code, 0, `replay failed: ${replay.stderr.slice(-1000)}`);
  }
  const missing = load.ok.filter((orderId) => !target.delivered.has(orderId));
  assert.deepEqual(missing.slice(0, 20), [], `${missing.length} events never reached the recovered target`);

  listen.child.kill("SIGTERM");
  const exit = await listen.exited();
  assert.equal(exit.code, 143, `listen exit: ${JSON.stringify(exit)}\n${listen.stderr().slice(-1000)}`);

  const refused = finals.filter((l) => String(l.error ?? "").includes("queue full")).length;
  t.diagnostic(
    `load ${loadMs} ms; forwarded live ${finals.length - gaveUp.length}, refused (queue full) ${refused}, ` +
      `failed after retries ${gaveUp.length - refused}, replayed ${gaveUp.length}; target requests ${target.requests}`,
  );
});
