// Issue 11 case 4: --exec work that cannot run (queue full, or cut short by Ctrl-C) is never silently
// dropped. listen sums it up at exit with the exact `certwh replay --exec` command, and that command runs
// exactly the events that did not finish: none twice, none missed.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { eventLine } from "../../src/io/render-listen.js";
import { BIN, cliEnv, tempDir } from "../helpers/cli.js";
import { type Line, postEvents, startListen } from "./listen-support.js";

const EVENTS = 150;

const sorted = (xs: (number | undefined)[]) => [...xs].sort((a, b) => Number(a) - Number(b));

/** Order ids the exec command recorded (one per finished run). */
function ran(file: string): number[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((s) => Number(s));
}

test("Ctrl-C with --exec work queued and refused: the summary's replay command runs exactly the unfinished events", async (t) => {
  const listenHome = tempDir("certwh-exec-");
  const slow = join(listenHome, "slow");
  const log = join(listenHome, "ran.txt");
  writeFileSync(slow, "");
  // Slow (0.5 s) while the marker exists; the order id is written only once the run is complete.
  const command = `sh -c '[ -f ${slow} ] && sleep 0.5; echo "$CERTWH_ORDER_ID" >> ${log}'`;
  const listen = await startListen(t, ["--exec", command]);

  const posted = await postEvents(listen.url, listen.secret, { count: EVENTS, concurrency: 30 });
  assert.equal(posted.ok.length, EVENTS, "every event acknowledged (journaled)");
  // Some runs finish, many are queued, the rest were refused (queue of 100 + 2 running).
  await listen.waitFor((l) => l.type === "exec" && l.ok === true, 20_000);
  listen.child.kill("SIGINT");
  const exit = await listen.exited();
  assert.equal(exit.code, 130, listen.stderr());

  // Each event's journal id → its order id, from the event lines.
  const orderOf = new Map<string, number>();
  for (const l of listen.lines) {
    if (l.type !== "event" || l.event !== "certificate_issued") continue;
    orderOf.set(String(l.id), (l.data as { order_id: number }).order_id);
  }
  assert.equal(orderOf.size, EVENTS);

  const execLines = listen.lines.filter((l) => l.type === "exec");
  assert.equal(execLines.length, EVENTS, "one exec result per event");
  const done = execLines.filter((l) => l.ok === true).map((l) => orderOf.get(String(l.id)));
  assert.deepEqual(sorted(ran(log)), sorted(done), "the runs reported ok are the ones that completed");
  assert.ok(
    execLines.some((l) => /queue full/.test(String(l.error))),
    "the burst overflowed the exec queue",
  );

  const summaries = listen.lines.filter((l) => l.type === "unfinished");
  assert.equal(summaries.length, 1, "one exit summary");
  const summary = summaries[0] as Line & {
    exec: { count: number; ids: string[]; since: string; command: string };
    journal: string;
  };
  assert.equal(summary.journal, listen.journal);
  assert.equal(summary.exec.count, EVENTS - done.length, "every event that did not complete is counted");
  assert.equal(new Set(summary.exec.ids).size, summary.exec.count);
  for (const id of summary.exec.ids) assert.ok(orderOf.has(id));
  assert.match(summary.exec.command, /^certwh replay --journal \S+ --exec '.*' --since \S+ --id /);
  const unfinished = summary.exec.ids.map((id) => orderOf.get(id) as number);
  assert.equal(new Set([...unfinished, ...done]).size, EVENTS, "completed and unfinished are disjoint");

  // The human form of the same summary: the count and the command, on stderr.
  const human = eventLine(summary as never, Date.now());
  assert.ok(human && "text" in human);
  assert.match(human.text, new RegExp(`^${summary.exec.count} --exec runs did not finish\\.`));
  assert.ok(human.text.includes(summary.exec.command));

  // Paste the command as printed (through a shell), fast this time: exactly the unfinished ones run.
  rmSync(slow);
  const before = ran(log).length;
  const pasted = summary.exec.command.replace(/^certwh /, "");
  const result = spawnSync("sh", ["-c", `"${process.execPath}" "${BIN}" ${pasted}`], {
    env: cliEnv({}, listen.home),
    encoding: "utf8",
    timeout: 120_000,
  });
  assert.equal(result.status, 0, result.stderr);
  const replayed = ran(log).slice(before);
  assert.deepEqual(sorted(replayed), sorted(unfinished), "exactly the unfinished events ran");
  assert.match(result.stderr, new RegExp(`Ran the command for ${unfinished.length} events`));
});
