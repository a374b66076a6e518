// The `certwh replay` commands listen prints at exit work as printed, from any folder: they name the journal
// by its absolute path, and the webhook secret by the source listen read it from (the journal never holds
// it), so an app that checks X-WEBHOOK-KEY accepts the replayed events. A secret that exists only in listen's
// memory is never printed: the hint says the replayed events carry no key. Under --json the last line (the
// `interrupted` line, or the `error` line of a failure) carries the whole session's command as `replay_command`.
// Through the built CLI, --sandbox (or a sandbox the test started, for a failure on cue).
import assert from "node:assert/strict";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, type TestContext, test } from "node:test";
import { BIN, cliEnv, type Running, runCli, spawnCli, tempDir, watch } from "../helpers/cli.js";
import { type Loopback, startLoopback } from "../helpers/loopback.js";
import { withSandbox } from "../helpers/sandbox.js";

const SECRET = "abcdefghijklmnopqrstuvwxyz0123456789ABCD";

/** An app that answers 503 while `down` (listen keeps retrying), then 200 only with the right key. */
async function keyCheckingApp(t: TestContext, key: () => string) {
  const state = { down: true };
  const app = await startLoopback((req, res) => {
    if (state.down) return void res.writeHead(503).end("down");
    res.writeHead(req.headers["x-webhook-key"] === key() ? 200 : 401).end();
  }, t);
  return { app, state, url: `${app.origin}/wh` };
}

/** The words of a printed command (temp paths, ids, times and loopback URLs need no quoting). */
function words(command: string): string[] {
  assert.doesNotMatch(command, /['"\\]/, `a command with plain words: ${command}`);
  return command.trim().split(/\s+/);
}

/** Ready, one `certwh trigger certificate_issued`, its first forward refused, then Ctrl-C (exit 130). */
async function oneEventThenStop(l: Running, home: string, app: Loopback): Promise<void> {
  await l.stderrIncludes("From another shell: certwh trigger certificate_issued", 20_000);
  const sent = await runCli(["trigger", "certificate_issued"], { configHome: home });
  assert.equal(sent.code, 0, sent.stderr);
  await app.waitFor(1, 10_000);
  l.child.kill("SIGINT");
  assert.equal((await l.exit).code, 130, l.stderr());
}

/** Runs a printed `certwh replay …` (from the test's own folder) and returns the key the app got. */
async function replayAsPrinted(command: string, home: string, app: Loopback, env = {}) {
  const before = app.requests.length;
  const r = await runCli([...words(command).slice(1), "--json"], {
    configHome: home,
    env,
    timeoutMs: 30_000,
  });
  assert.equal(r.code, 0, `${command}\n${r.stderr}`);
  assert.equal(app.requests.length - before, 1, r.stdout);
  assert.equal((app.requests.at(-1)?.json as { event?: string })?.event, "certificate_issued");
  return app.requests.at(-1)?.headers["x-webhook-key"];
}

const HINT = /`(certwh replay [^`]*)` delivers it again/;
const CATCH_UP = /catch up with:\n\s+(certwh replay [^\n]*)/;

describe("listen's replay commands carry the webhook secret's source", () => {
  test("--secret-env: the --json unfinished command, the interrupted line's replay_command and the exit hint name it, and the app accepts the replays", async (t) => {
    const home = tempDir();
    const { app, state, url } = await keyCheckingApp(t, () => SECRET);
    const env = { WHSEC: SECRET };
    const l = spawnCli(
      t,
      ["listen", "--sandbox", "--json", "--no-inspect", "--secret-env", "WHSEC", "--forward-to", url],
      { configHome: home, env },
    );
    await l.line((x) => x.type === "ready", 20_000);
    const sent = await runCli(["trigger", "certificate_issued"], { configHome: home });
    assert.equal(sent.code, 0, sent.stderr);
    await app.waitFor(1, 10_000);
    l.child.kill("SIGINT");
    assert.equal((await l.exit).code, 130, l.stderr());

    const unfinished = l.lines.find((x) => x.type === "unfinished") as
      | { forward?: { command?: string }[] }
      | undefined;
    const command = unfinished?.forward?.[0]?.command;
    const hint = HINT.exec(l.stderr())?.[1];
    const last = l.lines.at(-1);
    assert.equal(last?.type, "interrupted", l.stdout());
    const whole = last?.replay_command;
    assert.ok(command && hint && typeof whole === "string", `${l.stdout()}\n${l.stderr()}`);
    assert.equal(whole, hint, "the NDJSON command is the exit hint's, as printed");
    state.down = false;
    for (const printed of [command, whole]) {
      assert.match(printed, / --secret-env WHSEC /);
      assert.equal(await replayAsPrinted(printed, home, app, env), SECRET);
    }
    assert.ok(!`${l.stdout()}${l.stderr()}`.includes(SECRET), "the secret is never printed");
  });

  test("--generate-secret --secret-out and --journal as relative paths: the commands work from another folder", async (t) => {
    const home = tempDir();
    const dir = tempDir();
    const keyFile = join(dir, "key.txt");
    const saved = () => (existsSync(keyFile) ? readFileSync(keyFile, "utf8").trim() : "");
    const { app, state, url } = await keyCheckingApp(t, saved);
    const args = ["listen", "--sandbox", "--no-inspect", "--generate-secret", "--secret-out", "key.txt"];
    // Started in `dir`, so key.txt and rel.ndjson are relative to it; the replays run in the test's folder.
    const l = watch(
      process.execPath,
      [BIN, ...args, "--journal", "rel.ndjson", "--forward-to", url],
      { env: cliEnv({}, home), cwd: dir, killAfterMs: 40_000 },
      t,
    );
    await oneEventThenStop(l, home, app);

    const stderr = l.stderr();
    const catchUp = CATCH_UP.exec(stderr)?.[1];
    const hint = HINT.exec(stderr)?.[1];
    assert.ok(catchUp && hint, stderr);
    state.down = false;
    for (const printed of [catchUp, hint]) {
      assert.match(printed, new RegExp(` --journal ${join(dir, "rel.ndjson")} `));
      assert.match(printed, new RegExp(` --secret-file ${keyFile} `));
      assert.equal(await replayAsPrinted(printed, home, app), saved());
    }
  });

  test("--json failure after an event (--timeout): the error line's replay_command delivers it with the key", async (t) => {
    const home = tempDir();
    const sandbox = await withSandbox(t);
    const { app, state, url } = await keyCheckingApp(t, () => SECRET);
    const env = { CERTWH_BASE_URL: sandbox.url, CERTWH_API_KEY: sandbox.apiKey, WHSEC: SECRET };
    const journal = join(tempDir(), "events.ndjson");
    const until = ["--until", "order_rejected", "--timeout", "3s"];
    const flags = ["--secret-env", "WHSEC", "--journal", journal, "--forward-to", url, ...until];
    // No tunnel flag and the API on loopback: the sandbox delivers to the receiver itself.
    const l = spawnCli(t, ["listen", "--json", "--no-inspect", ...flags], { configHome: home, env });
    await l.line((x) => x.type === "ready", 20_000);
    await sandbox.emit("certificate_issued", { order_id: 7 });
    await app.waitFor(1, 10_000);
    assert.equal((await l.exit).code, 6, l.stderr());

    const error = l.lines.at(-1);
    assert.equal(error?.type, "error", l.stdout());
    const command = error?.replay_command;
    assert.ok(typeof command === "string", l.stdout());
    assert.ok(l.stderr().includes(`\`${command}\` delivers it again`), "the command the hint prints");
    assert.match(command, new RegExp(` --journal ${journal} --to ${url} --secret-env WHSEC `));
    state.down = false;
    assert.equal(await replayAsPrinted(command, home, app, { WHSEC: SECRET }), SECRET);
    assert.ok(!`${l.stdout()}${l.stderr()}`.includes(SECRET), "the secret is never printed");
  });

  test("a generated secret that was not saved: the hints say replayed events carry no key, and never print it", async (t) => {
    const home = tempDir();
    const { app, url } = await keyCheckingApp(t, () => "");
    const l = spawnCli(t, ["listen", "--sandbox", "--no-inspect", "--forward-to", url], {
      configHome: home,
    });
    await oneEventThenStop(l, home, app);

    const stderr = l.stderr();
    const note = "so replayed events carry no X-WEBHOOK-KEY";
    assert.match(stderr, new RegExp(`${CATCH_UP.source}\\n\\s+.*${note}`), stderr);
    assert.match(stderr, new RegExp(`${HINT.source}\\. .*${note}`), stderr);
    assert.doesNotMatch(stderr, /certwh replay [^`\n]*--secret-/, "no command names a secret it has not");
    const generated = String(app.requests[0]?.headers["x-webhook-key"]);
    assert.equal(generated.length >= 32, true, "listen forwarded its generated key");
    assert.ok(!`${l.stdout()}${stderr}`.includes(generated), "the generated secret is never printed");
  });
});

test("--exec runs all cut short at exit: exec_summary still comes, counting them as not finished", async (t) => {
  const home = tempDir();
  const log = join(home, "runs.log");
  const hook = join(home, "slow.sh");
  writeFileSync(hook, `#!/bin/sh\necho started >> '${log}'\nexec sleep 20\n`);
  chmodSync(hook, 0o755);
  const started = () => (existsSync(log) ? readFileSync(log, "utf8").split("\n").filter(Boolean).length : 0);
  const l = spawnCli(t, ["listen", "--sandbox", "--json", "--no-inspect", "--exec", hook], {
    configHome: home,
  });
  await l.line((x) => x.type === "ready", 20_000);
  for (const event of ["certificate_issued", "certificate_revoked"]) {
    const sent = await runCli(["trigger", event], { configHome: home });
    assert.equal(sent.code, 0, sent.stderr);
  }
  await l.until(() => started() >= 2, "both runs started");
  l.child.kill("SIGINT");
  assert.equal((await l.exit).code, 130, l.stderr());
  const summary = l.lines.find((x) => x.type === "exec_summary");
  assert.ok(summary, l.stdout());
  assert.deepEqual(
    { ok: summary.ok, failed: summary.failed, unfinished: summary.unfinished },
    { ok: 0, failed: 0, unfinished: 2 },
  );
  assert.equal(
    (l.lines.find((x) => x.type === "unfinished") as { exec?: { count: number } })?.exec?.count,
    2,
  );
});
