// Issue 11 case 5: with --no-journal the forward queue in memory is the only copy of an event. Once it is
// full, listen answers 503 (CertCentral keeps the event and retries) instead of 200-and-drop: every event
// is either acknowledged and forwarded once the app recovers, or refused.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { test } from "node:test";
import { spawnCli, tempDir } from "../helpers/cli.js";
import { startLoopback } from "../helpers/loopback.js";
import { waitUntil } from "../helpers/wait.js";
import { orderIdOf, postEvents } from "./listen-support.js";

// The forwarder holds 1000 deliveries in memory without a journal: post more than that while the app fails.
const EVENTS = 1300;

test("--no-journal and a failing app: each event is 200 and forwarded eventually, or 503; none 200-then-dropped", async (t) => {
  let failing = true;
  const forwarded = new Set<number>();
  const app = await startLoopback((req, res) => {
    if (failing) return res.writeHead(503).end();
    const order = orderIdOf(req.text);
    if (order !== undefined) forwarded.add(order);
    res.writeHead(200).end();
  }, t);
  const secret = randomBytes(32).toString("base64url");
  const home = tempDir("certwh-nojournal-");
  const run = spawnCli(
    t,
    [
      "listen",
      "--sandbox",
      "--json",
      "--secret-env",
      "HOLD_SECRET",
      "--no-journal",
      "--forward-to",
      `${app.origin}/hook`,
    ],
    { env: { HOLD_SECRET: secret }, configHome: home, killAfterMs: 180_000 },
  );
  const ready = await run.line((l) => l.type === "ready", 20_000);
  assert.equal(ready.journal, null);

  const posted = await postEvents(new URL(String(ready.local_url)), secret, {
    count: EVENTS,
    concurrency: 20,
    timeoutMs: 90_000,
  });
  // The refused ones: every answer other than 200 must be a 503 from the full queue. The sender can see its
  // last 503 before listen's line for it has come through the pipe, so wait (bounded) for the lines first.
  await run
    .until(
      () => run.lines.filter((l) => l.type === "rejected").length >= posted.failed.length,
      "the rejected lines",
      10_000,
    )
    .catch(() => undefined); // the assertion below says what is missing
  const refused = run.lines.filter((l) => l.type === "rejected");
  assert.ok(refused.length > 0, "the queue filled up, so some events were refused");
  assert.equal(posted.failed.length, refused.length, "every non-200 answer is a refusal listen reported");
  for (const r of refused) {
    assert.equal(r.status, 503);
    assert.equal(r.reason, "unavailable");
    assert.equal(r.detail, "forward_queue_full");
  }
  assert.equal(posted.ok.length + refused.length, EVENTS);

  // The app recovers: every acknowledged event reaches it.
  failing = false;
  await waitUntil(() => forwarded.size >= posted.ok.length, "all acknowledged events forwarded", {
    timeoutMs: 90_000,
    intervalMs: 100,
  });
  assert.deepEqual(
    [...forwarded].sort((a, b) => a - b),
    [...posted.ok].sort((a, b) => a - b),
    "exactly the acknowledged events were forwarded",
  );
  const dropped = run.lines.filter(
    (l) => l.type === "forward" && l.final === true && l.ok !== true && /queue full/.test(String(l.error)),
  );
  assert.equal(dropped.length, 0, "no acknowledged event was dropped for want of room");

  run.child.kill("SIGINT");
  const exit = await run.exit;
  assert.equal(exit.code, 130, run.stderr());
  assert.equal(
    run.lines.filter((l) => l.type === "unfinished").length,
    0,
    "nothing was left unfinished, so no summary",
  );
});
