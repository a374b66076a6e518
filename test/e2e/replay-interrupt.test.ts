// replay as a stream: Ctrl-C says in plain words what was not replayed and prints the command that resumes
// exactly there; --exec runs the command per event with listen's contract; an oversized line is named.
import assert from "node:assert/strict";
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { journalEntry, openJournal } from "../../src/listen/journal.js";
import { BIN, cliEnv, runCli, spawnCli, tempDir, watch } from "../helpers/cli.js";
import { startLoopback } from "../helpers/loopback.js";
import { waitUntil } from "../helpers/wait.js";

const COUNT = 8;
const body = (order: number) =>
  JSON.stringify({ event: "certificate_issued", data: { order_id: order, certificate_id: 900 + order } });

/** A config home whose default journal holds COUNT events (order ids 1…COUNT), one minute apart. */
async function journalHome(): Promise<{ home: string; path: string }> {
  const home = tempDir();
  const path = join(home, ".local", "state", "certwh", "journal.ndjson");
  const journal = await openJournal(path);
  for (let i = 1; i <= COUNT; i++) {
    await journal.append(
      journalEntry({
        body: body(i),
        event: "certificate_issued",
        headers: { "content-type": "application/json" },
        receivedAt: Date.UTC(2026, 0, 31, 9, i),
      }),
    );
  }
  await journal.close();
  return { home, path };
}

const orders = (texts: string[]) =>
  texts.map((t) => (JSON.parse(t) as { data: { order_id: number } }).data.order_id);

test("Ctrl-C during a replay: the event cut short is named in plain words, and the printed command resumes there", async (t) => {
  const { home, path } = await journalHome();
  let hungOnce = false;
  const app = await startLoopback((req, res) => {
    // The third event's first delivery never gets an answer: the replay is stuck there when Ctrl-C comes.
    if (!hungOnce && req.text === body(3)) {
      hungOnce = true;
      return;
    }
    res.writeHead(200).end();
  }, t);
  const run = spawnCli(t, ["replay", "--to", `${app.origin}/hook`], { configHome: home });
  await app.waitFor(3, 15_000);
  run.child.kill("SIGINT");
  const exit = await run.exit;
  assert.equal(exit.code, 130, run.stderr());
  const stderr = run.stderr();
  assert.equal(stderr.match(/^\[200\] /gm)?.length, 2, stderr);
  assert.match(
    stderr,
    /\[interrupted\] certificate_issued \w{16} \(received 2026-01-31T09:03:00\.000Z\): no answer: replay was interrupted while sending it \(the app may have received it\)\./,
  );
  assert.match(
    stderr,
    /interrupted after 2 event\(s\); this one and the rest of the journal were not replayed/,
  );
  assert.doesNotMatch(stderr, /forwarder closed/);
  const resume = /Resume with: (certwh replay .*)$/m.exec(stderr)?.[1];
  assert.ok(resume, stderr);
  assert.equal(resume, `certwh replay --journal ${path} --to ${app.origin}/hook --from-line 3`);

  // The resume command, pasted into a shell: events 3… in journal order, nothing before them.
  app.requests.splice(0);
  // Asynchronously: the app answering it runs in this process.
  const again = watch("sh", ["-c", `"${process.execPath}" "${BIN}" ${resume.replace(/^certwh /, "")}`], {
    env: cliEnv({}, home),
    killAfterMs: 30_000,
  });
  assert.equal((await again.exit).code, 0, again.stderr());
  assert.deepEqual(orders(app.requests.map((r) => r.text)), [3, 4, 5, 6, 7, 8]);
});

test("Ctrl-C during an --exec run under --json: one document saying where it stopped and how to resume", async (t) => {
  const { home, path } = await journalHome();
  const marks = join(home, "started.txt");
  // Each run notes its order id, then takes its time: the interruption lands in the second run.
  const command = `sh -c 'echo "$CERTWH_ORDER_ID" >> ${marks}; sleep 30'`;
  const run = spawnCli(t, ["replay", "--exec", command, "--json", "--event", "certificate_issued"], {
    configHome: home,
  });
  await waitUntil(
    () => existsSync(marks) && readFileSync(marks, "utf8").trim() !== "",
    "the first run to start",
    {
      timeoutMs: 15_000,
    },
  );
  run.child.kill("SIGINT");
  const exit = await run.exit;
  assert.equal(exit.code, 130, run.stderr());
  const doc = JSON.parse(run.stdout());
  assert.equal(doc.interrupted, true);
  assert.deepEqual(doc.results, []);
  assert.equal(doc.not_replayed_from.line, 1);
  assert.equal(doc.not_replayed_from.reason, "stopped: replay was interrupted while the command ran");
  assert.equal(
    doc.resume,
    `certwh replay --journal ${path} --exec '${command.replace(/'/g, "'\\''")}' --event certificate_issued --from-line 1`,
  );
  // The `error` object every interrupted command prints, and on stderr the lines said without --json.
  assert.deepEqual(doc.error, { exit_code: 130, code: "interrupted", message: "Interrupted by SIGINT." });
  const stderr = run.stderr();
  assert.match(
    stderr,
    /\[interrupted\] certificate_issued \w{16} \(received 2026-01-31T09:01:00\.000Z\): stopped: replay was interrupted while the command ran\./,
  );
  assert.match(
    stderr,
    /interrupted after 0 event\(s\); this one and the rest of the journal were not replayed/,
  );
  assert.ok(stderr.includes(`Resume with: ${doc.resume}`), stderr);
});

test("SIGTERM during a replay under --json: the document carries the error object with exit code 143", async (t) => {
  const { home, path } = await journalHome();
  // The second event never gets an answer: the replay is stuck there when SIGTERM comes.
  const app = await startLoopback((req, res) => {
    if (req.text !== body(2)) res.writeHead(200).end();
  }, t);
  const run = spawnCli(t, ["replay", "--to", `${app.origin}/hook`, "--json"], { configHome: home });
  await app.waitFor(2, 15_000);
  run.child.kill("SIGTERM");
  const exit = await run.exit;
  assert.equal(exit.code, 143, run.stderr());
  const doc = JSON.parse(run.stdout());
  assert.deepEqual(doc.error, { exit_code: 143, code: "interrupted", message: "Interrupted by SIGTERM." });
  assert.equal(doc.interrupted, true);
  assert.equal(doc.delivered, 1);
  assert.equal(doc.not_replayed_from.line, 2);
  assert.equal(doc.resume, `certwh replay --journal ${path} --to ${app.origin}/hook --from-line 2`);
  assert.match(
    run.stderr(),
    /\[interrupted\] certificate_issued \w{16} \(received 2026-01-31T09:02:00\.000Z\): no answer/,
  );
  assert.ok(run.stderr().includes(`Resume with: ${doc.resume}`), run.stderr());
});

test("replay --exec runs the command per event with listen's contract: stdin, CERTWH_* variables, no API key", async () => {
  const { home } = await journalHome();
  const out = join(home, "runs.txt");
  const command = `sh -c 'printf "%s %s %s %s " "$CERTWH_EVENT" "$CERTWH_ORDER_ID" "$CERTWH_CERTIFICATE_ID" "\${CERTWH_API_KEY:-none}" >> ${out}; cat >> ${out}; echo >> ${out}'`;
  const r = await runCli(["replay", "--exec", command, "--limit", "2"], {
    configHome: home,
    env: { CERTWH_API_KEY: "api-key-that-must-not-reach-the-child" },
  });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(readFileSync(out, "utf8").trim().split("\n"), [
    `certificate_issued 7 907 none ${body(7)}`,
    `certificate_issued 8 908 none ${body(8)}`,
  ]);
  assert.equal(r.stderr.match(/^\[exit 0\] exec for certificate_issued /gm)?.length, 2, r.stderr);
  assert.match(r.stderr, /Ran the command for 2 events/);

  const failing = await runCli(
    ["replay", "--exec", "sh -c 'echo said $CERTWH_ORDER_ID; exit 3'", "--limit", "1"],
    {
      configHome: home,
    },
  );
  assert.equal(failing.code, 3, failing.stderr);
  assert.match(
    failing.stderr,
    /\[exit 3\] exec for certificate_issued .*\n {2}\| said 8\n/,
    "its output, as listen shows it",
  );
  assert.match(failing.stderr, /1 of 1 runs of the command failed/);

  const json = await runCli(
    [
      "replay",
      "--json",
      "--exec",
      "sh -c 'echo said $CERTWH_ORDER_ID; echo why >&2; exit 3'",
      "--limit",
      "1",
    ],
    {
      configHome: home,
    },
  );
  const exec = JSON.parse(json.stdout).results[0].exec;
  assert.equal(exec.stdout_tail, "said 8\n", "the same fields as listen's exec line");
  assert.equal(exec.stderr_tail, "why\n");
});

test("a journal line longer than 8 MiB is skipped unread and named with the file and line", async (t) => {
  const { home, path } = await journalHome();
  appendFileSync(
    path,
    `{"received_at":"2026-01-31T10:00:00Z","id":"ab","body":"${"a".repeat(9 * 1024 * 1024)}"}\n`,
  );
  appendFileSync(path, `${readFileSync(path, "utf8").split("\n")[0]}\n`); // a readable entry after it
  const app = await startLoopback(undefined, t);
  const r = await runCli(["replay", "--to", `${app.origin}/hook`], { configHome: home });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(app.requests.length, COUNT + 1, "the entries before and after the long line are replayed");
  assert.ok(
    r.stderr.includes(
      `Skipped 1 unreadable line(s) in ${path}: line ${COUNT + 1} (longer than 8 MiB, not read).`,
    ),
    r.stderr,
  );
});
