// The catch-up commands `certwh listen` prints at exit cover this session only: journal ids are content
// hashes, so an identical body from an earlier session (same journal) has the same id, and a command without
// --since would replay it too. Two sessions on one journal, the same event in each, through the built CLI.
import assert from "node:assert/strict";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, type TestContext, test } from "node:test";
import { type JsonLine, type Running, runCli, spawnCli, tempDir } from "../helpers/cli.js";
import { startLoopback } from "../helpers/loopback.js";

/** A hook that appends a line per run to `log` and fails (exit 1). */
function failingHook(dir: string, log: string): string {
  const hook = join(dir, "hook.sh");
  writeFileSync(hook, `#!/bin/sh\necho ran >> '${log}'\nexit 1\n`);
  chmodSync(hook, 0o755);
  return hook;
}

const linesOf = (file: string) =>
  existsSync(file) ? readFileSync(file, "utf8").split("\n").filter(Boolean) : [];

/** The words of a command certwh printed (its words here need no quoting: temp paths, ids, times). */
function words(command: string): string[] {
  assert.doesNotMatch(command, /['"\\]/, `a command with plain words: ${command}`);
  return command.trim().split(/\s+/);
}

/** One listen session: ready, `certwh trigger certificate_revoked --order-id 777 --certificate-id 888`, Ctrl-C. */
async function session(t: TestContext, home: string, args: string[], until: (l: Running) => boolean) {
  const l = spawnCli(t, ["listen", "--sandbox", ...args], { configHome: home });
  if (args.includes("--json")) await l.line((x) => x.type === "ready", 20_000);
  else await l.stderrIncludes("From another shell: certwh trigger certificate_issued", 20_000);
  const sent = await runCli(
    ["trigger", "certificate_revoked", "--order-id", "777", "--certificate-id", "888"],
    { configHome: home },
  );
  assert.equal(sent.code, 0, sent.stderr);
  await l.until(() => until(l), "the event handled");
  l.child.kill("SIGINT");
  assert.equal((await l.exit).code, 130, l.stderr());
  return l;
}

describe("listen's catch-up commands cover this session only", () => {
  test("--exec: the exit summary's replay command carries --since, so session 1's identical event is not run again", async (t) => {
    const home = tempDir();
    const log = join(home, "runs.log");
    const hook = failingHook(home, log);
    const ran = (n: number) => () => linesOf(log).length >= n;
    const first = await session(t, home, ["--exec", hook], ran(1));
    // Human text: the command in the summary has --since.
    assert.match(
      first.stderr(),
      /`certwh replay --journal \S+ --exec \S+ --since \S+ --id [0-9a-f]{16}` runs the failed ones again/,
    );

    const second = await session(t, home, ["--json", "--exec", hook], ran(2));
    const event = second.lines.find((x) => x.type === "event" && x.event === "certificate_revoked");
    const summary = second.lines.find((x) => x.type === "exec_summary");
    assert.ok(event && summary, second.stdout());
    assert.deepEqual(summary.failed_ids, [event.id]);
    const replay = words(String(summary.replay));
    assert.equal(replay[replay.indexOf("--since") + 1], event.received_at, String(summary.replay));

    // Run as printed: the hook runs for this session's event only (without --since: both sessions').
    const before = linesOf(log).length;
    const again = await runCli([...replay.slice(1), "--json"], { configHome: home, timeoutMs: 30_000 });
    assert.notEqual(again.code, 0, again.stderr); // the hook still fails
    assert.equal(linesOf(log).length - before, 1, again.stdout);
  });

  test("--forward-to: the exit hint's `certwh replay … --to` starts at this session's first event", async (t) => {
    const app = await startLoopback(undefined, t);
    const url = `${app.origin}/hook`;
    const home = tempDir();
    const delivered = (n: number) => () => app.requests.length >= n;
    await session(t, home, ["--forward-to", url], delivered(1));
    const second = await session(t, home, ["--json", "--forward-to", url], delivered(2));
    const event = second.lines.find((x) => x.type === "event" && x.event === "certificate_revoked");
    assert.ok(event, second.stdout());
    const hint = /`(certwh replay [^`]*)` delivers it again/.exec(second.stderr());
    assert.ok(hint?.[1], second.stderr());
    const replay = words(hint[1]);
    assert.equal(replay[replay.indexOf("--since") + 1], event.received_at, hint[1]);
    assert.equal(replay[replay.indexOf("--to") + 1], url);

    // Run as printed: one event again, this session's (without --since: both sessions').
    const again = await runCli([...replay.slice(1), "--json"], { configHome: home, timeoutMs: 30_000 });
    assert.equal(again.code, 0, again.stderr);
    assert.equal(app.requests.length, 3, again.stdout);
  });

  test("--forward-to: `Gave up forwarding` names a replay command with --since, so it re-delivers that event once", async (t) => {
    const app = await startLoopback((_r, res) => res.writeHead(400).end("no"), t);
    const url = `${app.origin}/hook`;
    const home = tempDir();
    const gaveUp = (x: JsonLine) =>
      x.type === "warning" && String(x.message).startsWith("Gave up forwarding certificate_revoked");
    await session(t, home, ["--json", "--forward-to", url], (l) => l.lines.some(gaveUp));
    const second = await session(t, home, ["--json", "--forward-to", url], (l) => l.lines.some(gaveUp));
    const event = second.lines.find((x) => x.type === "event" && x.event === "certificate_revoked");
    const warning = second.lines.find(gaveUp);
    assert.ok(event && warning, second.stdout());
    const command = /`(certwh replay [^`]*)` re-delivers it/.exec(String(warning.message))?.[1];
    assert.ok(command, String(warning.message));
    const replay = words(command);
    assert.equal(replay[replay.indexOf("--since") + 1], event.received_at, command);

    const before = app.requests.length;
    const again = await runCli([...replay.slice(1), "--json"], { configHome: home, timeoutMs: 30_000 });
    assert.notEqual(again.code, 0, again.stderr); // the app still answers 400
    assert.equal(app.requests.length - before, 1, again.stdout);
  });
});
