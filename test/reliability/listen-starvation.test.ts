// Issue 11, case 2, against the built `certwh listen --sandbox --json`: slow-header sockets (one header line
// every 3 s) used to fill listen's 64 sockets and shut every valid delivery out. Now a socket with no request
// in flight is worth less than a new connection: valid deliveries on fresh connections get through while the
// slow sockets are held, every one answered 200 and journaled, and reaching the limit is reported.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { holdSlowSockets, inParallel, postFresh } from "../helpers/crowd.js";
import { sleep, waitUntil } from "../helpers/wait.js";
import { eventBody, type ListenChild, orderIdOf, startListen } from "./listen-support.js";

function journaledOrderIds(listen: ListenChild): Set<number> {
  const ids = new Set<number>();
  for (const line of readFileSync(listen.journal, "utf8").split("\n")) {
    if (!line) continue;
    const id = orderIdOf((JSON.parse(line) as { body: string }).body);
    if (id !== undefined) ids.add(id);
  }
  return ids;
}

function deliver(listen: ListenChild, orderId: number) {
  return postFresh(listen.url, eventBody(orderId), { "x-webhook-key": listen.secret });
}

test("256 slowloris sockets held open: 600 deliveries from 100 senders on fresh connections all answered 200 and journaled", async (t) => {
  const listen = await startListen(t);
  const slow = holdSlowSockets({ url: listen.url, count: 256, reopen: true });
  t.after(() => slow.stop());
  await waitUntil(() => slow.open >= 256, "256 slow sockets to connect", { timeoutMs: 10_000 });

  const first = 610_000;
  // How many slow sockets were open as each delivery started (they are cut at the 5 s head deadline and
  // reopened at once, so a few may be between two connections at any moment).
  const slowOpen: number[] = [];
  const results = await inParallel(600, 100, (i) => {
    slowOpen.push(slow.open);
    return deliver(listen, first + i);
  });
  slow.stop();

  const notOk = results.filter((r) => !("status" in r) || r.status !== 200);
  assert.deepEqual(notOk.slice(0, 5), [], `${notOk.length} of 600 deliveries not answered 200`);
  const median = slowOpen.sort((a, b) => a - b)[slowOpen.length >> 1];
  assert.ok(median >= 200, `the slow sockets were not held during the deliveries (median ${median} open)`);
  const journaled = journaledOrderIds(listen);
  const missing = results.map((_, i) => first + i).filter((id) => !journaled.has(id));
  assert.deepEqual(missing, [], "acknowledged deliveries missing from the journal");

  listen.child.kill("SIGTERM");
  assert.equal((await listen.exited()).code, 143);
});

test("more slow sockets than the limit (1,024): the oldest are closed to make room, deliveries get through, and listen reports it", async (t) => {
  const listen = await startListen(t);
  // 1,000 first; once they have been idle a moment, 100 more: the oldest slow ones make room for them.
  const slow = holdSlowSockets({ url: listen.url, count: 1_000 });
  t.after(() => slow.stop());
  await waitUntil(() => slow.open >= 1_000, "1,000 slow sockets to connect", { timeoutMs: 15_000 });
  await sleep(500);
  const more = holdSlowSockets({ url: listen.url, count: 100 });
  t.after(() => more.stop());
  await waitUntil(() => more.open + more.closedByServer >= 100, "100 more slow sockets", {
    timeoutMs: 10_000,
  });

  const results = await inParallel(50, 10, (i) => deliver(listen, 620_000 + i));
  assert.deepEqual(
    results.filter((r) => !("status" in r) || r.status !== 200),
    [],
    "every delivery answered 200",
  );
  assert.ok(slow.closedByServer >= 76, `only ${slow.closedByServer} of the older slow sockets were closed`);
  const report = await listen.waitFor((l) => l.type === "connection_limit" && Number(l.evicted) > 0, 5_000);
  assert.equal(report.max_connections, 1024);
  assert.equal(typeof report.at, "string");
  slow.stop();
  more.stop();

  const journaled = journaledOrderIds(listen);
  assert.equal(results.filter((_, i) => journaled.has(620_000 + i)).length, 50);
  listen.child.kill("SIGTERM");
  assert.equal((await listen.exited()).code, 143);
});
