// `certwh sandbox` and `certwh trigger` through the built CLI (run `npx tsc -p .` first).
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";
import { EVENT_TYPES } from "../../src/events/catalogue.js";
import { version } from "../../src/util/version.js";
import { cliArgv, cliEnv, runCli, spawnCli, tempDir, watch } from "../helpers/cli.js";
import { call, startReceiver } from "../helpers/sandbox.js";
import { poll, waitUntil } from "../helpers/wait.js";

const execFileAsync = promisify(execFile);

const SECRET = "Zq9xV3nT7mB2kL5pR8wY1cF4hJ6dS0gA"; // 32 characters

test("certwh sandbox prints the base URL and key to export, serves requests with it, and stops on SIGINT", async (t) => {
  const run = spawnCli(t, ["sandbox", "--port", "0"], { killAfterMs: 20_000 });
  const [, url, key] = await run.until(
    () => /export CERTWH_BASE_URL=(\S+)\n\s*export CERTWH_API_KEY=(\S+)/.exec(run.stderr()) ?? undefined,
    "the export lines",
  );
  assert.match(run.stderr(), /http:\/\/ endpoints on loopback .* are accepted/);
  assert.equal(run.stdout(), "", "human output stays on stderr");
  const res = await call({ url, apiKey: key }, "GET", "/webhook");
  assert.equal(res.status, 400);
  assert.deepEqual(res.json, {
    errors: [{ code: "webhook_invalid_account", message: "No webhook exists for the account." }],
  });
  await run.until(() => run.stderr().includes("GET /services/v2/webhook → 400"), "the request line");
  run.child.kill("SIGINT");
  assert.equal((await run.exit).code, 130);
  assert.match(run.stderr(), /Sandbox stopped: interrupted by SIGINT\./);
});

test("certwh sandbox whose starting shell goes away stops and says why", async (t) => {
  const out = join(tempDir(), "sandbox.out");
  // A CI step's shell starts the sandbox in the background and is then gone, as when the step ends.
  const command = `${cliArgv(["sandbox", "--json"]).join(" ")} > ${out} 2> ${out}.err & echo started; wait`;
  const parent = watch("sh", ["-c", command], { env: cliEnv(), killAfterMs: 30_000 }, t);
  await waitUntil(() => existsSync(out) && readFileSync(out, "utf8").includes("base_url"), "the JSON line", {
    timeoutMs: 15_000,
  });
  parent.child.kill("SIGKILL");
  const stopped = await poll(() => /Sandbox stopped.*/.exec(readFileSync(`${out}.err`, "utf8"))?.[0], {
    timeoutMs: 15_000,
  });
  assert.equal(stopped, "Sandbox stopped: the process that started certwh went away.");
});

test("quick start: certwh sandbox --json, a webhook made active, certwh trigger --sandbox-url delivers and logs", async (t) => {
  const rx = await startReceiver(t);
  const run = spawnCli(t, ["sandbox", "--json", "--api-key", "quickstart-key-123456"], {
    killAfterMs: 20_000,
  });
  const info = await run.until(() => {
    const line = run.stdout().split("\n")[0];
    return run.stdout().includes("\n")
      ? (JSON.parse(line) as { base_url: string; api_key: string })
      : undefined;
  }, "the JSON line");
  assert.equal(info.api_key, "quickstart-key-123456");
  const sb = { url: info.base_url, apiKey: info.api_key };

  const id = (
    (await call(sb, "POST", "/webhook", { endpoint: rx.url, secret: SECRET, events: ["certificate_issued"] }))
      .json as {
      webhook_id: number;
    }
  ).webhook_id;
  const env = { CERTWH_API_KEY: info.api_key, CERTWH_BASE_URL: info.base_url };
  const early = await runCli(["trigger", "certificate_issued", "--sandbox-url", info.base_url], { env });
  assert.equal(early.code, 3, "pending webhook → nothing sent");
  assert.match(early.stderr, /not active/);

  await call(sb, "PUT", `/webhook/${id}/send-challenge`);
  const token = (rx.received.at(-1)!.json as { data: { token: string } }).data.token;
  assert.equal((await call(sb, "PUT", `/webhook/${id}/check-challenge`, { token })).status, 204);
  assert.equal((await call(sb, "PUT", `/webhook/${id}/activate`)).status, 204);

  const sent = await runCli(
    ["trigger", "certificate_issued", "--sandbox-url", info.base_url, "--order-id", "42", "--json"],
    {
      env,
    },
  );
  assert.equal(sent.code, 0, sent.stderr);
  const { duration_ms: ms, ...result } = JSON.parse(sent.stdout);
  assert.equal(typeof ms, "number", "the time, as --to reports it");
  assert.deepEqual(result, {
    event: "certificate_issued",
    url: rx.url,
    status: 200,
    via_sandbox: true,
    certificate_chain: false,
  });
  assert.match(sent.stderr, new RegExp(`: 200 in ${ms} ms\\.`));
  const delivered = rx.received.at(-1)!;
  assert.equal(delivered.headers["x-webhook-key"], SECRET);
  assert.equal(String(delivered.headers["user-agent"]).startsWith("certwh-sandbox/"), true);
  assert.equal((delivered.json as { data: { order_id: number } }).data.order_id, 42);

  // --with-chain cannot override the webhook's chain settings (off here): no chain, and trigger says so.
  const withChain = await runCli(
    ["trigger", "certificate_issued", "--sandbox-url", info.base_url, "--with-chain"],
    { env },
  );
  assert.equal(withChain.code, 0, withChain.stderr);
  assert.equal("certificate_chain" in (rx.received.at(-1)!.json as { data: object }).data, false);
  assert.match(withChain.stderr, /: 200 in \d+ ms\./);
  assert.match(withChain.stderr, /follows the webhook's chain settings/);
  assert.ok(
    withChain.stderr.includes(`update-url --url ${rx.url} --chain`),
    `how to turn them on: ${withChain.stderr}`,
  );
  assert.equal(withChain.stdout, "", "human mode: nothing on stdout");
  const logs = (await call(sb, "GET", `/webhook/${id}/event-logs?filters[event_name]=certificate_issued`))
    .json as {
    events: unknown[];
  };
  assert.equal(logs.events.length, 2, "both triggers are in the event log");

  const wrongKey = await runCli(["trigger", "certificate_issued", "--sandbox-url", info.base_url], {
    env: { CERTWH_API_KEY: "not-the-key-at-all" },
  });
  assert.equal(wrongKey.code, 4);

  run.child.kill("SIGINT");
  assert.equal((await run.exit).code, 130);
  // Ctrl-C is how a sandbox is stopped: exit 130 with only the start-up object on stdout, no error object.
  const lines = run.stdout().trim().split("\n");
  assert.equal(lines.length, 1);
  assert.equal(JSON.parse(lines[0]).api_key, info.api_key);
  assert.doesNotMatch(run.stderr(), /✗/);
});

test("certwh sandbox --port in use → exit 2", async (t) => {
  const rx = await startReceiver(t);
  const res = await runCli(["sandbox", "--port", new URL(rx.url).port]);
  assert.equal(res.code, 2);
  assert.match(res.stderr, /already in use/);
});

test("sandbox --no-delete with --quirks no-delete-405 is a usage error (exit 2) naming both flags", async () => {
  const res = await runCli(["sandbox", "--no-delete", "--quirks", "no-delete-405", "--json"]);
  assert.equal(res.code, 2, res.stderr);
  assert.equal((JSON.parse(res.stdout) as { error: { code: string } }).error.code, "usage");
  assert.match(
    res.stderr,
    /--no-delete \(DELETE answered 404\) and --quirks no-delete-405 cannot be combined/,
  );
  assert.doesNotMatch(res.stderr, /bug in certwh/);
});

test("sandbox --slack-host needs host:port with a real port (1 to 65535): exit 2 before anything starts", async () => {
  for (const value of ["127.0.0.1:70000", "127.0.0.1:0", "127.0.0.1", "[::1]:99999"]) {
    const res = await runCli(["sandbox", "--port", "0", "--slack-host", value]);
    assert.equal(res.code, 2, `${value}: ${res.stderr}`);
    assert.match(res.stderr, /--slack-host takes host:port with a port from 1 to 65535/);
  }
});

test("trigger --to: body and X-WEBHOOK-KEY as CertCentral sends them, real chain, --json result", async (t) => {
  const rx = await startReceiver(t);
  const res = await runCli(
    [
      "trigger",
      "certificate_issued",
      "--to",
      rx.url,
      "--secret-env",
      "HOOK_SECRET",
      "--with-chain",
      "--order-id",
      "7",
      "--json",
    ],
    { env: { HOOK_SECRET: SECRET } },
  );
  assert.equal(res.code, 0, res.stderr);
  const out = JSON.parse(res.stdout);
  assert.equal(out.status, 200);
  assert.equal(out.event, "certificate_issued");
  assert.equal(typeof out.duration_ms, "number");
  const [got] = rx.received;
  assert.equal(got.method, "POST");
  assert.equal(got.headers["user-agent"], `certwh/${version()}`, "trigger is certwh, not the sandbox");
  assert.equal(got.headers["x-webhook-key"], SECRET);
  assert.equal(got.headers["content-type"], "application/json");
  const body = got.json as {
    event: string;
    data: { order_id: number; certificate_id: number; certificate_chain: { pem: string }[] };
  };
  assert.deepEqual(Object.keys(body), ["event", "data"]);
  assert.equal(body.data.order_id, 7);
  assert.equal(typeof body.data.certificate_id, "number");
  const [leaf, intermediate] = body.data.certificate_chain.map((c) => new X509Certificate(c.pem));
  assert.ok(leaf.verify(intermediate.publicKey));
  assert.equal(`${res.stdout}${res.stderr}`.includes(SECRET), false, "the secret is never printed");
});

test("trigger --to: every catalogue event is supported, with the spec's payload shapes", async (t) => {
  const rx = await startReceiver(t);
  const file = join(tempDir(), "secret");
  writeFileSync(file, `${SECRET}\n`);
  for (const type of EVENT_TYPES) {
    const res = await runCli([
      "trigger",
      type.name,
      "--to",
      rx.url,
      "--secret-file",
      file,
      "--certificate-id",
      "9",
    ]);
    assert.equal(res.code, 0, `${type.name}: ${res.stderr}`);
    assert.equal(/certwh's guess/.test(res.stderr), type.guessedPayload, type.name);
    const got = rx.received.at(-1)!;
    assert.equal(
      got.headers["x-webhook-key"],
      SECRET,
      "a secret file's trailing newline is not part of the key",
    );
    const body = got.json as { event: string; data?: Record<string, unknown> };
    assert.equal(body.event, type.name);
    if (type.name === "test_webhook_endpoint") assert.deepEqual(Object.keys(body), ["event"]);
    else if (type.name === "challenge_webhook_endpoint")
      assert.deepEqual(Object.keys(body.data!), ["token", "webhook_id"]);
    else if (type.name.startsWith("organization_"))
      assert.match(String(body.data?.organization_id), /^[1-9]\d{5}$/, "a random 6-digit id");
    else if (type.name.startsWith("domain_")) assert.match(String(body.data?.domain_id), /^[1-9]\d{5}$/);
    else assert.equal(body.data?.certificate_id, 9);
  }
  assert.equal(rx.received.length, EVENT_TYPES.length);
  const bare = await runCli(["trigger", "test_webhook_endpoint", "--to", rx.url]);
  assert.equal(bare.code, 0, bare.stderr);
  assert.equal(rx.received.at(-1)!.headers["x-webhook-key"], undefined, "no secret → no header");
});

test("trigger --to: non-2xx → exit 3, redirect not followed → exit 3, unreachable → exit 3, timeout → exit 6", async (t) => {
  const rx = await startReceiver(t);
  rx.script.push(500, 302, "hang");
  const failed = await runCli(["trigger", "order_rejected", "--to", rx.url]);
  assert.equal(failed.code, 3);
  assert.match(failed.stderr, /answered 500/);
  const redirected = await runCli(["trigger", "order_rejected", "--to", rx.url]);
  assert.equal(redirected.code, 3);
  assert.equal(rx.received.length, 2, "the redirect was not followed");
  const hung = await runCli(["trigger", "order_rejected", "--to", rx.url, "--timeout", "0.3", "--json"]);
  assert.equal(hung.code, 6);
  assert.equal(JSON.parse(hung.stdout).error.exit_code, 6);
  const closed = await startReceiver();
  await closed.close();
  const unreachable = await runCli(["trigger", "order_rejected", "--to", closed.url]);
  assert.equal(unreachable.code, 3);
  assert.match(unreachable.stderr, /Nothing answers at http:\/\/127\.0\.0\.1:\d+\/hook: is the receiver/);
});

test("trigger usage errors: short or spaced secret, unknown event, both targets, --with-chain elsewhere", async (t) => {
  const rx = await startReceiver(t);
  const cases: [string[], Record<string, string>, RegExp][] = [
    [["certificate_issued", "--to", rx.url, "--secret-env", "S"], { S: "too-short" }, /at least 32/],
    [["certificate_issued", "--to", rx.url, "--secret-env", "S"], { S: `${SECRET} x` }, /whitespace/],
    [["certificate_issued", "--to", rx.url, "--secret-env", "MISSING"], {}, /not set/],
    [["no_such_event", "--to", rx.url], {}, /Unknown event/],
    [["certificate_issued", "--to", rx.url, "--sandbox-url", rx.url], {}, /only one of --to/],
    [["order_rejected", "--to", rx.url, "--with-chain"], {}, /only applies to certificate_issued/],
    [["order_rejected", "--to", "ftp://x"], {}, /http/],
    [["order_rejected", "--to", rx.url, "--order-id", "abc"], {}, /positive integer/],
  ];
  for (const [args, env, message] of cases) {
    const res = await runCli(["trigger", ...args], { env });
    assert.equal(res.code, 2, `${args.join(" ")}: ${res.stderr}`);
    assert.match(res.stderr, message);
    assert.equal(res.stderr.includes("too-short"), false);
  }
  assert.equal(rx.received.length, 0, "nothing is sent after a usage error");
});

test("trigger --to: fresh random ids per run (a deduplicating receiver sees two events), unless given", async (t) => {
  const rx = await startReceiver(t);
  for (let i = 0; i < 2; i++) {
    const res = await runCli(["trigger", "certificate_issued", "--to", rx.url]);
    assert.equal(res.code, 0, res.stderr);
  }
  const [a, b] = rx.received.map(
    (r) => (r.json as { data: { order_id: number; certificate_id: number } }).data,
  );
  for (const d of [a!, b!]) {
    assert.match(String(d.order_id), /^[1-9]\d{8}$/, "a realistic 9-digit order id");
    assert.match(String(d.certificate_id), /^[1-9]\d{8}$/);
  }
  assert.notDeepEqual(a, b, "two triggers are two different events");
  const fixed = await runCli([
    "trigger",
    "order_rejected",
    "--to",
    rx.url,
    "--order-id",
    "5",
    "--certificate-id",
    "6",
  ]);
  assert.equal(fixed.code, 0, fixed.stderr);
  assert.deepEqual((rx.received.at(-1)!.json as { data: unknown }).data, { order_id: 5, certificate_id: 6 });

  const typo = await runCli(["trigger", "certificate_isued", "--to", rx.url]);
  assert.equal(typo.code, 2);
  assert.match(typo.stderr, /Did you mean certificate_issued\?/);
  assert.equal(rx.received.length, 3);
});

test("sandbox --api-key is refused (exit 2) where every client command would refuse the key", async () => {
  for (const key of ["key with spaces; rm -rf x", "schlüssel-12345678", "short"]) {
    const r = await runCli(["sandbox", "--port", "0", "--api-key", key], { timeoutMs: 10_000 });
    assert.equal(r.code, 2, `${key}: ${r.stderr}`);
    assert.match(r.stderr, /--api-key (contains spaces, line breaks or non-ASCII|has 5 characters)/);
    assert.doesNotMatch(r.stderr, /export CERTWH_API_KEY/, "no sandbox started");
    assert.equal(r.stdout, "");
  }
});

test("sandbox's export lines are shell-quoted: a key with shell characters, pasted, stays one value", async (t) => {
  const { execFileSync } = await import("node:child_process");
  const key = `k3y;echo$IFS'pwned'&&"x"`;
  const run = spawnCli(t, ["sandbox", "--port", "0", "--api-key", key], { killAfterMs: 20_000 });
  const [lines] = await run.until(
    () => /export CERTWH_BASE_URL=.*\n\s*export CERTWH_API_KEY=.*/.exec(run.stderr()) ?? undefined,
    "the export lines",
  );
  const pasted = execFileSync(
    "bash",
    ["-c", `eval "$0"; printf '%s\\n' "$CERTWH_API_KEY" "$CERTWH_BASE_URL"`, lines],
    { encoding: "utf8", cwd: tempDir() },
  );
  const [printedKey, printedUrl] = pasted.split("\n");
  assert.equal(printedKey, key, "the whole key, nothing run");
  assert.match(printedUrl as string, /^http:\/\/127\.0\.0\.1:\d+\/services\/v2$/);
  run.child.kill("SIGINT");
  assert.equal((await run.exit).code, 130);
});

test("trigger --with-chain's hint quotes the endpoint it names, so a URL with & pastes as one word", async (t) => {
  const rx = await startReceiver(t);
  const run = spawnCli(t, ["sandbox", "--json", "--api-key", "quoting-key-123456"], { killAfterMs: 20_000 });
  const info = await run.until(
    () =>
      run.stdout().includes("\n")
        ? (JSON.parse(run.stdout().split("\n")[0] as string) as { base_url: string; api_key: string })
        : undefined,
    "the JSON line",
  );
  const sb = { url: info.base_url, apiKey: info.api_key };
  const endpoint = `${rx.url}?tenant=a&b=1`;
  const created = await call(sb, "POST", "/webhook", {
    endpoint,
    secret: SECRET,
    events: ["certificate_issued"],
  });
  const id = (created.json as { webhook_id: number }).webhook_id;
  await call(sb, "PUT", `/webhook/${id}/send-challenge`);
  const token = (rx.received.at(-1)!.json as { data: { token: string } }).data.token;
  assert.equal((await call(sb, "PUT", `/webhook/${id}/check-challenge`, { token })).status, 204);
  assert.equal((await call(sb, "PUT", `/webhook/${id}/activate`)).status, 204);
  const res = await runCli(
    ["trigger", "certificate_issued", "--sandbox-url", info.base_url, "--with-chain"],
    {
      env: { CERTWH_API_KEY: info.api_key },
    },
  );
  assert.equal(res.code, 0, res.stderr);
  assert.ok(res.stderr.includes(`update-url --url '${endpoint}' --chain`), res.stderr);
  assert.match(res.stderr, /No certificate_chain was sent: .* they are off/, "the chain is off before");
  // Run as printed, in a shell where certwh has no settings: it reaches that sandbox and turns the chain on.
  const printed =
    res.stderr
      .split("\n")
      .find((l) => l.includes("update-url --url"))
      ?.trim() ?? "";
  // The key came from CERTWH_API_KEY, so it is not printed: the command uses the same variable.
  assert.match(printed, /^certwh --base-url \S+ update-url --url /);
  assert.ok(!res.stderr.includes(info.api_key), "a key from the environment is not shown");
  const [node, bin] = cliArgv([]);
  // Not spawnSync: the receiver in this process must answer the update's probe meanwhile.
  const shell = await execFileAsync(
    "bash",
    ["-c", `certwh() { "${node}" "${bin}" "$@"; }; ${printed} --no-verify`],
    {
      env: cliEnv({ CERTWH_API_KEY: info.api_key }),
      encoding: "utf8",
      timeout: 20_000,
    },
  ).catch((err: { stderr?: string }) => assert.fail(err.stderr ?? String(err)));
  assert.doesNotMatch(shell.stderr, /✗/);
  const after = await call(sb, "GET", "/webhook");
  const settings = (after.json as { webhooks: { webhook_settings?: Record<string, unknown> }[] }).webhooks[0]
    ?.webhook_settings;
  assert.equal(settings?.webhook_send_certificate_chain, "1", JSON.stringify(settings));
  run.child.kill("SIGINT");
  await run.exit;
});
