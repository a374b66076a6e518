// Messages that point the right way (new-user review) through the built CLI against the sandbox: verify on
// an active webhook, delete's suggestion by status, an incomplete base URL, an endpoint that refuses the
// connection, logs filters certwh does not know, and a broken config file that is not needed.
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { runCli, tempDir } from "../helpers/cli.js";
import { startLoopback } from "../helpers/loopback.js";
import { createActive, expectExit, harness, oneJson } from "./lifecycle-support.js";

test("verify on an already active webhook: a refused token is not needed → exit 0 with a note", async (t) => {
  const h = await harness(t);
  await createActive(h);
  const res = await h.cli(["verify", "--token", "stale-token", "--json"]);
  expectExit(res, 0);
  assert.deepEqual(oneJson(res), {
    id: h.sandbox.webhook()?.id,
    endpoint: h.receiver.url,
    status: "active",
    verified: true,
    changed: false,
  });
  assert.match(res.stderr, /already active, so verification is not needed/);
  assert.ok(!h.routes().slice(-1).includes("PUT /webhook/:id/activate"), "no activate after the refusal");
  assert.equal(h.sandbox.webhook()?.status, "active");
});

test("delete unsupported: the suggestion depends on the status (pending: nothing needed, no deactivate)", async (t) => {
  const h = await harness(t, { deleteExtension: false });
  expectExit(await h.cli(["create", "--url", h.receiver.url, "--no-verify"]), 0);
  const pending = await h.cli(["delete", "--yes"]);
  expectExit(pending, 3);
  assert.match(pending.stderr, /pending: it receives nothing until it is verified and activated/);
  assert.match(pending.stderr, /certwh update-url --url <new-url>/);
  assert.doesNotMatch(pending.stderr, /certwh deactivate/);
});

/** A server that answers every request 404, with DigiCert's not_found|route envelope or a bare body. */
async function notFoundServer(t: Parameters<typeof harness>[0], envelope: boolean): Promise<string> {
  const server = await startLoopback((_req, res) => {
    res.writeHead(404, { "content-type": envelope ? "application/json" : "text/plain" });
    res.end(envelope ? '{"errors":[{"code":"not_found|route","message":"route not found"}]}' : "Not Found");
  }, t);
  return server.origin;
}

test("a 404 route from a base URL without /services/v2 hints at the base URL", async (t) => {
  for (const envelope of [true, false]) {
    const base = await notFoundServer(t, envelope);
    const env = { CERTWH_API_KEY: "a-key-0123456789abcdef" };
    const bare = await runCli(["--base-url", base, "status"], { env });
    expectExit(bare, 3);
    assert.match(bare.stderr, /it usually ends in \/services\/v2/);
    // With the right path, a 404 is not blamed on the base URL.
    const full = await runCli(["--base-url", `${base}/services/v2`, "status"], { env });
    expectExit(full, 3);
    assert.doesNotMatch(full.stderr, /usually ends in/);
  }
});

test("test --url at a port that refuses the connection: the wording does not claim a timeout", async (t) => {
  const h = await harness(t);
  const res = await h.cli(["test", "--url", "http://127.0.0.1:9/hook"]);
  expectExit(res, 3);
  assert.match(res.stderr, /no 2xx answer \(connection refused, an error status or a timeout\)/);
  assert.doesNotMatch(res.stderr, /in time/);
});

test("logs: an unknown --status or --event warns on stderr and is still sent", async (t) => {
  const h = await harness(t);
  await createActive(h);
  const res = await h.cli(["logs", "--status", "bogus", "--event", "certificate_isued", "--json"]);
  expectExit(res, 0);
  assert.match(res.stderr, /--status "bogus" is not a delivery status certwh knows \(success, failed\)/);
  assert.match(res.stderr, /Did you mean certificate_issued\?/);
  const logs = h.sandbox.requests.filter((r) => r.route?.includes("logs"));
  assert.equal(logs.length, 1);
  assert.equal(logs[0]!.query["filters[request_status]"], "bogus", JSON.stringify(logs[0]!.query));
  const known = await h.cli(["logs", "--status", "failed"]);
  expectExit(known, 0);
  assert.doesNotMatch(known.stderr, /not a delivery status/);
});

test("a broken config.json is ignored with a warning when the key and base URL come from the environment", async (t) => {
  const h = await harness(t);
  const home = tempDir();
  mkdirSync(join(home, "certwh"), { recursive: true });
  const file = join(home, "certwh", "config.json");
  writeFileSync(file, "{ not json", { mode: 0o600 });
  const ok = await h.cli(["status"], { configHome: home });
  expectExit(ok, 5); // reached the sandbox, which has no webhook
  assert.ok(ok.stderr.includes(`${file} is not valid JSON`), ok.stderr);
  assert.match(ok.stderr, /Nothing from it is needed .* so certwh continues without it/);
  // Without the base URL in the environment the file is needed: still exit 2 naming it.
  const needed = await h.cli(["status"], { configHome: home, env: { CERTWH_BASE_URL: undefined } });
  expectExit(needed, 2);
  assert.ok(needed.stderr.includes(file));
  // A bad value inside a readable file is treated the same way.
  writeFileSync(file, JSON.stringify({ profiles: { default: { region: "mars" } } }), { mode: 0o600 });
  expectExit(await h.cli(["status"], { configHome: home }), 5);
});

test("a one-character API key is reported as 1 character", async () => {
  const r = await runCli(["login", "--with-key", "--no-check"], { input: "x\n" });
  expectExit(r, 2);
  assert.match(r.stderr, /has 1 character;/);
});

test("completion descriptions keep their apostrophes, quoted for fish and zsh", async () => {
  const { execFileSync } = await import("node:child_process");
  const dir = tempDir();
  const fish = (await runCli(["completion", "fish"])).stdout;
  assert.match(fish, /-d 'Show the account\\'s webhook/);
  const zsh = (await runCli(["completion", "zsh"])).stdout;
  assert.match(zsh, /'status:Show the account'\\''s webhook/);
  for (const [shell, text, args] of [
    ["fish", fish, ["--no-execute"]],
    ["zsh", zsh, ["-n"]],
  ] as const) {
    const file = join(dir, `certwh.${shell}`);
    writeFileSync(file, text);
    try {
      execFileSync(shell, [...args, file], { stdio: "pipe" });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "ENOENT") continue; // that shell is not installed here; the regex checks above still ran
      throw err;
    }
  }
});
