// What listen says at exit about its journal when the path changes under it: a FIFO put in its place (the
// events are in the file that was there), and another session writing the same journal (the replay command
// names this session's events only). Through the built CLI with --sandbox.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { renameSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { type JsonLine, runCli, spawnCli, tempDir } from "../helpers/cli.js";
import { startLoopback } from "../helpers/loopback.js";
import { emitThroughListen } from "../helpers/sandbox.js";

/** Has the in-process sandbox deliver certificate_issued for `orderId` to the receiver. */
const emit = (ready: JsonLine, orderId: number) =>
  emitThroughListen(ready, { order_id: orderId, certificate_id: 1 });

test("the journal path replaced by a FIFO while listen runs: exit 2 saying so, and the events are not said to be in the FIFO", async (t) => {
  const journal = join(tempDir(), "j.ndjson");
  const l = spawnCli(t, ["listen", "--sandbox", "--json", "--no-inspect", "--journal", journal]);
  const ready = await l.line((x) => x.type === "ready");
  await emit(ready, 1);
  await l.line((x) => x.type === "event" && x.event === "certificate_issued");
  renameSync(journal, `${journal}.old`);
  execFileSync("mkfifo", [journal]);
  await emit(ready, 2);
  assert.equal((await l.exit).code, 2, l.stderr());
  const error = l.lines.find((x) => x.type === "error");
  assert.equal(
    error?.message,
    `The journal path ${journal} is not a regular file any more: it was replaced by a FIFO while listen ran, so events cannot be acknowledged.`,
  );
  const stderr = l.stderr();
  assert.match(stderr, /The events this session journaled are in the file that was at .*j\.ndjson/);
  assert.match(stderr, /Remove the FIFO from .*j\.ndjson \(listen then creates a new journal there\)/);
  assert.match(
    stderr,
    /What arrived in this session is in that file: `certwh replay --journal <that file> --to <url> --since \S+`/,
  );
  assert.ok(!stderr.includes(`--journal ${journal}`), "the replay command does not read the FIFO");
});

test("two sessions sharing one journal: each one's exit hint replays its own events, not the other's", async (t) => {
  const app = await startLoopback(undefined, t);
  const journal = join(tempDir(), "shared.ndjson");
  const args = [
    "listen",
    "--sandbox",
    "--json",
    "--no-inspect",
    "--journal",
    journal,
    "--forward-to",
    app.origin,
  ];
  const a = spawnCli(t, args);
  const b = spawnCli(t, args);
  const [readyA, readyB] = await Promise.all([
    a.line((x) => x.type === "ready"),
    b.line((x) => x.type === "ready"),
  ]);
  await emit(readyA, 1);
  await a.line((x) => x.type === "forward" && x.final === true);
  await emit(readyB, 2);
  await emit(readyB, 3);
  await b.until(
    () => b.lines.filter((x) => x.type === "forward" && x.final === true).length >= 2 && true,
    "b's forwards",
  );
  a.child.kill("SIGINT");
  assert.equal((await a.exit).code, 130, a.stderr());
  assert.ok(
    a.lines.some((x) => x.type === "state" && x.stage === "journal_shared"),
    a.stdout(),
  );
  const command = /`(certwh replay [^`]+)`/.exec(a.stderr())?.[1];
  assert.ok(command?.includes(" --id "), a.stderr());
  // The command as printed (its words need no quoting here) delivers session a's event alone.
  const before = app.requests.length;
  const replay = await runCli(String(command).split(" ").slice(1));
  assert.equal(replay.code, 0, replay.stderr);
  const replayed = app.requests
    .slice(before)
    .map((r) => (r.json as { data: { order_id: number } }).data.order_id);
  assert.deepEqual(replayed, [1]);
  b.child.kill("SIGINT");
  assert.equal((await b.exit).code, 130, b.stderr());
});
