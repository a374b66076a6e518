// The journal moved or removed while listen runs (by hand, or by logrotate without copytruncate): listen
// notices before its next write that the path names another file, or none, and opens a new file there. The
// event goes to that file (so `certwh replay` from the path finds it), a warning says so, and the exit hint's
// replay command delivers what the new file holds. Through the built CLI.
import assert from "node:assert/strict";
import { readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { describe, test } from "node:test";
import { runCli } from "../helpers/cli.js";
import { startLoopback } from "../helpers/loopback.js";
import { eventBody, type ListenChild, orderIdOf, startListen } from "./listen-support.js";

const ordersIn = (file: string) =>
  readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => orderIdOf(String((JSON.parse(line) as { body?: string }).body)));

async function deliver(l: ListenChild, order: number): Promise<number> {
  const res = await fetch(l.url, {
    method: "POST",
    headers: { "content-type": "application/json", "x-webhook-key": l.secret },
    body: eventBody(order),
    signal: AbortSignal.timeout(10_000),
  });
  await res.arrayBuffer();
  return res.status;
}

/** The words of the replay command in listen's exit hint (temp paths and times need no quoting). */
function replayWords(stderr: string): string[] {
  const command = /`(certwh replay [^`]*)` delivers it again/.exec(stderr)?.[1];
  assert.ok(command, stderr);
  assert.doesNotMatch(command, /['"\\]/, command);
  return command.split(/\s+/);
}

describe("journal moved or removed under listen", () => {
  for (const how of ["moved", "removed"] as const) {
    test(`${how}: the next event is in a new file at the path, with a warning, and the exit hint replays it`, async (t) => {
      const l = await startListen(t);
      assert.equal(await deliver(l, 1), 200);
      const aside = `${l.journal}.1`;
      if (how === "moved") renameSync(l.journal, aside);
      else rmSync(l.journal);

      assert.equal(await deliver(l, 2), 200);
      await l.waitFor((x) => x.type === "state" && x.stage === "journal_replaced");
      assert.match(
        l.stderr(),
        /The journal .*journal\.ndjson was moved or removed while listen ran; certwh continues in a new file at that path/,
      );
      assert.deepEqual(ordersIn(l.journal), [2], "the event after the move is in the new file");
      assert.equal(statSync(l.journal).mode & 0o777, 0o600);
      if (how === "moved") assert.ok(!ordersIn(aside).includes(2), "nothing more went to the moved file");
      assert.equal(await deliver(l, 3), 200);
      assert.deepEqual(ordersIn(l.journal), [2, 3]);
      const warnings = l.lines.filter((x) => x.type === "state" && x.stage === "journal_replaced");
      assert.equal(warnings.length, 1, "one warning per replacement");

      l.child.kill("SIGINT");
      assert.equal((await l.exited()).code, 130, l.stderr());
      assert.match(l.stderr(), /what arrived since the journal was replaced is in /);

      // Run as printed, to a local app: the events in the new file arrive again.
      const app = await startLoopback(undefined, t);
      const replay = replayWords(l.stderr()).map((w) => (w === "<url>" ? `${app.origin}/hook` : w));
      // It names the secret as listen read it (--secret-env): the app gets the key it got from listen.
      const again = await runCli([...replay.slice(1), "--json"], {
        configHome: l.home,
        env: { RELIABILITY_SECRET: l.secret },
        timeoutMs: 30_000,
      });
      assert.equal(again.code, 0, again.stderr);
      assert.deepEqual(
        app.requests.map((r) => orderIdOf(r.text)),
        [2, 3],
      );
      assert.deepEqual(
        app.requests.map((r) => r.headers["x-webhook-key"]),
        [l.secret, l.secret],
      );
    });
  }
});
