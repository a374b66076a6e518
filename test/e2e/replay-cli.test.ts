import assert from "node:assert/strict";
import { appendFileSync, writeFileSync } from "node:fs";
import type { IncomingHttpHeaders } from "node:http";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { entryId, journalEntry, openJournal } from "../../src/listen/journal.js";
import { runCli, tempDir } from "../helpers/cli.js";
import { type Loopback, startLoopback } from "../helpers/loopback.js";
import { freePort } from "../helpers/port.js";

// One loopback receiver for the file. `/ok` answers 200, `/flaky` 500 for order 2, `/moved` 302,
// `/hang` never.
let server: Loopback;
let base = "";
before(async () => {
  server = await startLoopback((req, res) => {
    if (req.method !== "POST") return res.writeHead(405).end();
    if (req.path === "/ok") return res.writeHead(200).end();
    if (req.path === "/flaky") return res.writeHead(req.text.includes('"order_id":2') ? 500 : 204).end();
    if (req.path === "/moved") return res.writeHead(302, { location: "/ok" }).end();
    if (req.path === "/hang") return; // never answers: the request timeout decides
    res.writeHead(404).end();
  });
  base = server.origin;
});
after(() => server.close());

const SECRET = "replay-canary-0123456789abcdefghijklmnop";
const bodies = [
  '{"event":"certificate_issued","data":{"order_id":1,"certificate_id":11}}',
  '{"event":"certificate_revoked","data":{"order_id":2,"certificate_id":12}}',
  '{"event":"certificate_issued","data":{"order_id":3,"certificate_id":13}}',
  '{ "event": "certificate_issued", "data": {"order_id": 4, "certificate_id": 14, "note": "é"} }',
];

/** A config home whose default journal holds the four events, received one minute apart. */
async function journalHome(): Promise<{ home: string; path: string }> {
  const home = tempDir();
  const path = join(home, ".local", "state", "certwh", "journal.ndjson");
  const journal = await openJournal(path);
  for (const [i, body] of bodies.entries()) {
    await journal.append(
      journalEntry({
        body,
        event: JSON.parse(body).event,
        headers: { "content-type": "application/json", "x-webhook-key": SECRET },
        receivedAt: Date.UTC(2026, 0, 31, 9, i),
      }),
    );
  }
  await journal.close();
  return { home, path };
}

/** The requests the receiver got since the last take(), bodies as text. */
function take(): { path: string; headers: IncomingHttpHeaders; body: string }[] {
  return server.requests.splice(0).map((r) => ({ path: r.path, headers: r.headers, body: r.text }));
}

test("replays every event in journal order, bodies exact, no key unless asked", async () => {
  const { home } = await journalHome();
  take();
  const r = await runCli(["replay", "--to", `${base}/ok`], { configHome: home });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, "");
  const got = take();
  assert.deepEqual(
    got.map((s) => s.body),
    bodies,
  );
  for (const s of got) {
    assert.equal(s.path, "/ok");
    assert.equal(s.headers["content-type"], "application/json");
    assert.equal(s.headers["x-webhook-key"], undefined);
    assert.match(s.headers["user-agent"] ?? "", /^certwh\//);
  }
  assert.equal(r.stderr.match(/^\[200\] /gm)?.length, 4);
  assert.match(r.stderr, /Replayed 4 event/);
  assert.equal(r.stderr.includes(SECRET), false);
});

test("--event, --id, --since and --limit select events; --limit keeps the most recent; an unknown --id is exit 5", async () => {
  const { home } = await journalHome();
  take();
  let r = await runCli(["replay", "--to", `${base}/ok`, "--event", "certificate_issued", "--limit", "2"], {
    configHome: home,
  });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(
    take().map((s) => JSON.parse(s.body).data.order_id),
    [3, 4],
  );
  r = await runCli(["replay", "--to", `${base}/ok`, "--since", "2026-01-31T09:01:00Z"], { configHome: home });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(
    take().map((s) => JSON.parse(s.body).data.order_id),
    [2, 3, 4],
  );
  r = await runCli(["replay", "--to", `${base}/ok`, "--id", entryId(bodies[1] as string).slice(0, 8)], {
    configHome: home,
  });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(
    take().map((s) => JSON.parse(s.body).data.order_id),
    [2],
  );
  r = await runCli(["replay", "--to", `${base}/ok`, "--event", "order_rejected", "--json"], {
    configHome: home,
  });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { delivered: 0, failed: 0, results: [] });
  assert.match(r.stderr, /No journal entries match/);
  r = await runCli(["replay", "--to", `${base}/ok`, "--from-line", "999"], { configHome: home });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /--from-line 999 is past the end of .*journal\.ndjson \(its last line is \d+\)/);
  assert.deepEqual(take(), []);
  assert.equal(take().length, 0);
  // An --id the journal does not hold is not an empty selection: exit 5, naming the id and the journal.
  r = await runCli(["replay", "--to", `${base}/ok`, "--id", "0123456789abcdef"], { configHome: home });
  assert.equal(r.code, 5, r.stderr);
  assert.match(r.stderr, /No journal entry in .* has the id 0123456789abcdef/);
  assert.equal(take().length, 0);
});

test("X-WEBHOOK-KEY comes only from --secret-env or --secret-file, and never shows", async () => {
  const { home } = await journalHome();
  take();
  let r = await runCli(
    ["replay", "--to", `${base}/ok`, "--limit", "1", "--secret-env", "HOOK_SECRET", "--verbose"],
    {
      configHome: home,
      env: { HOOK_SECRET: SECRET },
    },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(
    take().map((s) => s.headers["x-webhook-key"]),
    [SECRET],
  );
  assert.equal((r.stdout + r.stderr).includes(SECRET), false);

  const file = join(home, "secret.txt");
  writeFileSync(file, `${SECRET}\n`);
  r = await runCli(["replay", "--to", `${base}/ok`, "--limit", "1", "--secret-file", file], {
    configHome: home,
  });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(
    take().map((s) => s.headers["x-webhook-key"]),
    [SECRET],
  );

  writeFileSync(file, "too-short\n");
  r = await runCli(["replay", "--to", `${base}/ok`, "--secret-file", file], { configHome: home });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /at least 32 characters/);
  assert.equal(r.stderr.includes("too-short"), false);
  assert.equal(take().length, 0, "nothing is sent with a rejected secret");
});

test("a failed delivery exits 3, with one JSON document under --json", async () => {
  const { home } = await journalHome();
  take();
  const r = await runCli(["replay", "--to", `${base}/flaky`, "--json"], { configHome: home });
  assert.equal(r.code, 3, r.stderr);
  const doc = JSON.parse(r.stdout); // throws if stdout held more than one document
  assert.equal(doc.delivered, 3);
  assert.equal(doc.failed, 1);
  // The error object every failing command prints, in the same document as the results.
  assert.deepEqual(doc.error, {
    exit_code: 3,
    code: "replay_failed",
    message: `1 of 4 deliveries to ${base}/flaky failed.`,
  });
  assert.deepEqual(
    doc.results.map((x: { status: number; ok: boolean; event: string }) => [x.status, x.ok, x.event]),
    [
      [204, true, "certificate_issued"],
      [500, false, "certificate_revoked"],
      [204, true, "certificate_issued"],
      [204, true, "certificate_issued"],
    ],
  );
  assert.match(doc.results[0].received_at, /^2026-01-31T09:00:00/);
  assert.match(r.stderr, /1 of 4 deliveries .* failed/);
  assert.equal(take().length, 4, "one attempt each, no retries");
});

test("a redirect is a failure and is not followed", async () => {
  const { home } = await journalHome();
  take();
  const r = await runCli(["replay", "--to", `${base}/moved`, "--limit", "1"], { configHome: home });
  assert.equal(r.code, 3);
  assert.match(r.stderr, /\[302\]/);
  assert.deepEqual(
    take().map((s) => s.path),
    ["/moved"],
  );
});

test("the request timeout comes from CERTWH_REQUEST_TIMEOUT or the profile, and a bad value is an error", async () => {
  const { home } = await journalHome();
  take();
  const started = Date.now();
  let r = await runCli(["replay", "--to", `${base}/hang`, "--limit", "1", "--json"], {
    configHome: home,
    env: { CERTWH_REQUEST_TIMEOUT: "1" },
  });
  assert.equal(r.code, 3, r.stderr);
  assert.equal(JSON.parse(r.stdout).results[0].ok, false);
  assert.ok(Date.now() - started < 15_000, "1 s, not the 30 s default");

  const set = await runCli(["config", "set", "request_timeout", "1"], { configHome: home });
  assert.equal(set.code, 0, set.stderr);
  r = await runCli(["replay", "--to", `${base}/hang`, "--limit", "1"], { configHome: home });
  assert.equal(r.code, 3, r.stderr);
  assert.ok(Date.now() - started < 25_000, "the profile's 1 s, not the 30 s default");

  r = await runCli(["replay", "--to", `${base}/ok`, "--limit", "1"], {
    configHome: home,
    env: { CERTWH_REQUEST_TIMEOUT: "soon" },
  });
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /CERTWH_REQUEST_TIMEOUT must be a number of seconds/);
  assert.deepEqual(
    take().map((s) => s.path),
    ["/hang", "/hang"],
    "nothing sent after the bad value",
  );
});

test("an unreachable target exits 3", async () => {
  const { home } = await journalHome();
  // A port the OS just handed out and took back: nothing listens there (port 1 may be bound by a root user).
  const closed = `http://127.0.0.1:${await freePort()}/hook`;
  const r = await runCli(["replay", "--to", closed, "--limit", "1"], { configHome: home });
  assert.equal(r.code, 3);
  assert.match(r.stderr, /ECONNREFUSED/);
});

test("a missing journal (named) exits 5 as for inspect; missing --to and bad flags exit 2", async () => {
  const home = tempDir();
  const missing = join(home, "nope.ndjson");
  let r = await runCli(["replay", "--to", `${base}/ok`, "--journal", missing]);
  assert.equal(r.code, 5);
  assert.ok(r.stderr.includes(missing), r.stderr);

  r = await runCli(["replay", "--to", `${base}/ok`], { configHome: home });
  assert.equal(r.code, 5);
  assert.ok(r.stderr.includes(join(home, ".local", "state", "certwh", "journal.ndjson")), r.stderr);

  const { home: withJournal } = await journalHome();
  take();
  for (const args of [
    [],
    ["--to", "ftp://example.com/x"],
    ["--to", "not a url"],
    ["--to", `${base}/ok`, "--since", "yesterday"],
    ["--to", `${base}/ok`, "--limit", "0"],
    ["--to", `${base}/ok`, "--secret-env", "A", "--secret-file", "B"],
    ["--to", `${base}/ok`, "--secret-env", "UNSET_VARIABLE_XYZ"],
    // A program that is not there, or a folder, is refused before the journal is read (as listen does).
    ["--to", `${base}/ok`, "--exec", "certwh-no-such-program"],
    ["--exec", home],
  ]) {
    r = await runCli(["replay", ...args], { configHome: withJournal });
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    if (args.includes("--exec")) assert.match(r.stderr, /--exec: .* is not an executable program/);
  }
  assert.equal(take().length, 0);
});

test("unreadable lines are skipped and reported, a torn last line too", async () => {
  const { home, path } = await journalHome();
  appendFileSync(path, "this is not json\n");
  appendFileSync(path, '{"received_at":"2026-01-31T10:00:00Z","id":"ab","ev');
  take();
  const r = await runCli(["replay", "--to", `${base}/ok`, "--json"], { configHome: home });
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.delivered, 4);
  assert.deepEqual(doc.skipped_lines, [
    { line: 5, reason: "not valid JSON" },
    { line: 6, reason: "incomplete last line" },
  ]);
  assert.match(r.stderr, /Skipped 2 unreadable line\(s\)/);
  assert.match(r.stderr, /cut short/);
  assert.equal(take().length, 4);
});

test("test and challenge deliveries are skipped and counted unless --all or --event names them", async () => {
  const home = tempDir();
  const path = join(home, ".local", "state", "certwh", "journal.ndjson");
  const journal = await openJournal(path);
  const verification = [
    '{"event":"test_webhook_endpoint","data":{}}',
    '{"event":"challenge_webhook_endpoint","data":{"token":"used-token-123"}}',
  ];
  for (const [i, body] of [...verification, bodies[0] as string].entries()) {
    await journal.append(
      journalEntry({
        body,
        event: JSON.parse(body).event,
        headers: { "content-type": "application/json" },
        receivedAt: Date.UTC(2026, 0, 31, 9, i),
      }),
    );
  }
  await journal.close();
  take();

  let r = await runCli(["replay", "--to", `${base}/ok`, "--json"], { configHome: home });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(
    take().map((s) => JSON.parse(s.body).event),
    ["certificate_issued"],
  );
  assert.equal(JSON.parse(r.stdout).skipped_verification_events, 2);
  assert.match(r.stderr, /Skipped 2 test\/challenge entries/);
  assert.match(r.stderr, /--all/);

  r = await runCli(["replay", "--to", `${base}/ok`, "--all"], { configHome: home });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(take().length, 3);
  assert.doesNotMatch(r.stderr, /Skipped/);

  r = await runCli(["replay", "--to", `${base}/ok`, "--event", "challenge_webhook_endpoint"], {
    configHome: home,
  });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(
    take().map((s) => JSON.parse(s.body).event),
    ["challenge_webhook_endpoint"],
  );
});

test("--limit counts only the test/challenge entries in the window it replays, from the first entry it keeps", async () => {
  const home = tempDir();
  const path = join(home, ".local", "state", "certwh", "journal.ndjson");
  const journal = await openJournal(path);
  const test = '{"event":"test_webhook_endpoint","data":{}}';
  const challenge = '{"event":"challenge_webhook_endpoint","data":{"token":"used-token-123"}}';
  // Four verification entries; only the one between the last two events lies in --limit 2's window.
  const lines = [test, challenge, bodies[0], test, bodies[1], bodies[2], challenge, bodies[3]] as string[];
  for (const [i, body] of lines.entries()) {
    await journal.append(
      journalEntry({
        body,
        event: JSON.parse(body).event,
        headers: { "content-type": "application/json" },
        receivedAt: Date.UTC(2026, 0, 31, 9, i),
      }),
    );
  }
  await journal.close();
  take();

  let r = await runCli(["replay", "--to", `${base}/ok`, "--limit", "2", "--json"], { configHome: home });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(
    take().map((s) => JSON.parse(s.body).data.order_id),
    [3, 4],
  );
  assert.equal(JSON.parse(r.stdout).skipped_verification_events, 1);
  assert.match(r.stderr, /Skipped 1 test\/challenge entry /);

  // A --limit that passes over nothing: the whole journal is the window.
  r = await runCli(["replay", "--to", `${base}/ok`, "--limit", "10", "--json"], { configHome: home });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(take().length, 4);
  assert.equal(JSON.parse(r.stdout).skipped_verification_events, 4);
});

test("an --event name CertCentral never sends is a usage error with a suggestion", async () => {
  const { home } = await journalHome();
  take();
  const r = await runCli(["replay", "--to", `${base}/ok`, "--event", "certificate_isued"], {
    configHome: home,
  });
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /Unknown event for --event: "certificate_isued"/);
  assert.match(r.stderr, /Did you mean certificate_issued\?/);
  assert.equal(take().length, 0);
});

test("replay reads the journal as it was at the start: events a listen appends meanwhile are not replayed", async (t) => {
  const { home, path } = await journalHome();
  // A receiver that journals what it gets into the same journal, as a listen on that journal does; it stops
  // appending after 40 so that a replay following the growing file ends too.
  let appended = 0;
  const echo = await startLoopback((req, res) => {
    if (appended < 40) {
      appended++;
      appendFileSync(
        path,
        `${JSON.stringify(journalEntry({ body: req.text, event: "certificate_issued", headers: {}, receivedAt: Date.now() }))}\n`,
      );
    }
    res.writeHead(200).end();
  }, t);
  let r = await runCli(["replay", "--to", `${echo.origin}/hook`, "--limit", "1"], { configHome: home });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(echo.requests.length, 1, "--limit 1 sends one event");
  r = await runCli(["replay", "--to", `${echo.origin}/hook`], { configHome: home });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(echo.requests.length - 1, 5, "the 5 entries the journal held when replay started");
  assert.match(r.stderr, /Replayed 5 events/);
});

test("a user name and password in --to are sent as basic auth, and shown masked", async () => {
  const { home } = await journalHome();
  take();
  const to = `${base.replace("http://", "http://app:s3cr3t@")}/ok`;
  const r = await runCli(["replay", "--to", to, "--limit", "1"], { configHome: home });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(take()[0]?.headers.authorization, `Basic ${Buffer.from("app:s3cr3t").toString("base64")}`);
  assert.doesNotMatch(r.stderr, /s3cr3t/);
  assert.match(r.stderr, /app:\*\*\*\*@127\.0\.0\.1/);
});

test("--id names a test or challenge entry as --event does: it is replayed, not reported missing", async () => {
  const { home, path } = await journalHome();
  const body = '{"event":"challenge_webhook_endpoint","data":{"token":"abc"}}';
  appendFileSync(
    path,
    `${JSON.stringify(journalEntry({ body, event: "challenge_webhook_endpoint", headers: {}, receivedAt: Date.UTC(2026, 0, 31, 10) }))}\n`,
  );
  take();
  const r = await runCli(["replay", "--to", `${base}/ok`, "--id", entryId(body)], { configHome: home });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(
    take().map((s) => s.body),
    [body],
  );
  // Without --id it is still left out.
  const all = await runCli(["replay", "--to", `${base}/ok`], { configHome: home });
  assert.equal(all.code, 0, all.stderr);
  assert.equal(take().length, 4);
  assert.match(all.stderr, /Skipped 1 test\/challenge entry/);
});

test("an --id prefix that matches different events is refused before anything is sent", async () => {
  const { home, path } = await journalHome();
  // Two bodies whose ids share their first hex digit (among 17, two must).
  const byFirst = new Map<string, string>();
  let pair: [string, string] | undefined;
  for (let n = 100; n < 117 && !pair; n++) {
    const body = `{"event":"certificate_issued","data":{"order_id":${n}}}`;
    const other = byFirst.get(entryId(body)[0] as string);
    if (other) pair = [other, body];
    else byFirst.set(entryId(body)[0] as string, body);
  }
  assert.ok(pair);
  for (const body of pair)
    appendFileSync(
      path,
      `${JSON.stringify(journalEntry({ body, event: "certificate_issued", headers: {}, receivedAt: Date.UTC(2026, 0, 31, 11) }))}\n`,
    );
  take();
  const prefix = entryId(pair[0]).slice(0, 1);
  const r = await runCli(["replay", "--to", `${base}/ok`, "--id", prefix], { configHome: home });
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, new RegExp(`--id ${prefix} matches \\d+ different events`));
  assert.equal(take().length, 0, "nothing sent");
  // The full id still works.
  const one = await runCli(["replay", "--to", `${base}/ok`, "--id", entryId(pair[0])], { configHome: home });
  assert.equal(one.code, 0, one.stderr);
  assert.deepEqual(
    take().map((s) => s.body),
    [pair[0]],
  );
});
