// `certwh trigger --sandbox-url` goes through the API client: answers a sandbox should never give (not
// JSON, a redirect, no answer) become sentences with their exit code, --request-timeout applies, and
// --verbose traces the call with the key masked. A strict fake sandbox on 127.0.0.1 (build first).
import assert from "node:assert/strict";
import type { ServerResponse } from "node:http";
import { type TestContext, test } from "node:test";
import { runCli } from "../helpers/cli.js";
import { type RecordedRequest, startLoopback } from "../helpers/loopback.js";

const KEY = "sandbox-admin-key-3f9a8b7c6d5e";

type Answer = (req: RecordedRequest, res: ServerResponse) => void;

/** Answers POST /sandbox/v1/emit with the scripted answers in order; anything else fails the test. */
async function fakeSandbox(t: TestContext, answers: Answer[]) {
  const unexpected: string[] = [];
  const server = await startLoopback((req, res) => {
    const answer = answers.shift();
    if (req.method !== "POST" || req.path !== "/sandbox/v1/emit" || !answer) {
      unexpected.push(`${req.method} ${req.path}`);
      res.writeHead(500).end();
      return;
    }
    answer(req, res);
  });
  t.after(async () => {
    await server.close();
    assert.deepEqual(unexpected, [], "requests the fake sandbox did not expect");
    assert.equal(answers.length, 0, "scripted answers left unused");
  });
  return { base: `${server.origin}/services/v2`, seen: server.requests };
}

const env = { CERTWH_API_KEY: KEY };

test("trigger --sandbox-url: a 200 that is not JSON → exit 3 with a sentence (not an internal error)", async (t) => {
  const sb = await fakeSandbox(t, [
    (_req, res) => res.writeHead(200, { "content-type": "text/html" }).end("<html><b>hello</b> proxy</html>"),
    (_req, res) => res.writeHead(200, { "content-type": "application/json" }).end('{"something":"else"}'),
  ]);
  const html = await runCli(["trigger", "certificate_issued", "--sandbox-url", sb.base], { env });
  assert.equal(html.code, 3, html.stderr);
  assert.match(
    html.stderr,
    /The sandbox at 127\.0\.0\.1:\d+ answered HTTP 200, but not in a form certwh can read/,
  );
  assert.match(html.stderr, /hello proxy/);
  assert.doesNotMatch(html.stderr, /Unexpected error|bug/);
  const json = await runCli(["trigger", "certificate_issued", "--sandbox-url", sb.base, "--json"], { env });
  assert.equal(json.code, 3, json.stderr);
  assert.equal(JSON.parse(json.stdout).error.exit_code, 3);
  assert.match(json.stderr, /delivered/);
  assert.equal(sb.seen[0]!.headers["x-dc-devkey"], KEY, "the key travels in X-DC-DEVKEY");
});

test("trigger --sandbox-url: redirect refused (exit 3), 401 → exit 4, --request-timeout honoured (exit 6), --verbose trace", async (t) => {
  const sb = await fakeSandbox(t, [
    (_req, res) => res.writeHead(302, { location: "http://127.0.0.1:9/elsewhere" }).end(),
    (_req, res) =>
      res
        .writeHead(401, { "content-type": "application/json" })
        .end('{"errors":[{"code":"access_denied|invalid_api_key","message":"bad key"}]}'),
    () => {}, // never answers
  ]);
  const redirected = await runCli(["trigger", "certificate_issued", "--sandbox-url", sb.base, "--verbose"], {
    env,
  });
  assert.equal(redirected.code, 3, redirected.stderr);
  assert.match(redirected.stderr, /answered HTTP 302/);
  assert.match(
    redirected.stderr,
    /→ POST http:\/\/127\.0\.0\.1:\d+\/sandbox\/v1\/emit/,
    "the --verbose trace",
  );
  assert.equal(redirected.stderr.includes(KEY), false, "the key is masked in the trace");

  const refused = await runCli(["trigger", "certificate_issued", "--sandbox-url", sb.base], { env });
  assert.equal(refused.code, 4, refused.stderr);
  assert.match(refused.stderr, /The sandbox refused the API key/);

  const started = Date.now();
  const hung = await runCli(
    ["--request-timeout", "1", "trigger", "certificate_issued", "--sandbox-url", sb.base, "--json"],
    { env },
  );
  assert.equal(hung.code, 6, hung.stderr);
  assert.match(hung.stderr, /did not answer within/);
  assert.ok(Date.now() - started < 15_000, "--request-timeout, not the 30 s default");
});

test("trigger --sandbox-url over plain http:// off loopback → exit 2, nothing sent (the API key would travel)", async () => {
  const res = await runCli(
    ["trigger", "certificate_issued", "--sandbox-url", "http://sandbox.example.com:8443/"],
    {
      env,
    },
  );
  assert.equal(res.code, 2, res.stderr);
  assert.match(res.stderr, /--sandbox-url must use https:\/\//);
});
