// `certwh listen --force --on-exit restore` whose restore fails at exit (the production endpoint refuses
// CertCentral's probe): the printed `certwh update-url` must put back everything restore would have (events,
// settings, and the secret by a source the user fills), and running it brings deliveries back to a
// production receiver that checks the original key.
import assert from "node:assert/strict";
import { test } from "node:test";
import { API_ATTEMPTS } from "../../src/api/retry.js";
import type { Sandbox } from "../../src/sandbox/types.js";
import { isState, runCli, spawnCli, tempDir } from "../helpers/cli.js";
import { startLoopback } from "../helpers/loopback.js";
import { loopbackPublicArgs } from "../helpers/port.js";
import { call, withSandbox } from "../helpers/sandbox.js";

const envFor = (sandbox: Sandbox) => ({ CERTWH_BASE_URL: sandbox.url, CERTWH_API_KEY: sandbox.apiKey });
const PROD_SECRET = "production-secret-0123456789abcdefghij";

/** The production receiver: 401 unless X-WEBHOOK-KEY is its own secret; 503 while `down`. */
async function startProduction(t: Parameters<typeof withSandbox>[0]) {
  const state = { down: false };
  const server = await startLoopback((req, res) => {
    const status = state.down ? 503 : req.headers["x-webhook-key"] === PROD_SECRET ? 200 : 401;
    res.writeHead(status, { "Content-Type": "text/plain" }).end(String(status));
  }, t);
  const tokens = () =>
    server.requests
      .map((r) => r.json as { event?: string; data?: { token?: string } } | undefined)
      .filter((b) => b?.event === "challenge_webhook_endpoint")
      .map((b) => String(b?.data?.token));
  return { url: `${server.origin}/prod`, server, state, tokens };
}

type Production = Awaited<ReturnType<typeof startProduction>>;

/** An active production webhook with its own secret, one event and settings set. */
async function activeProductionWebhook(sandbox: Sandbox, prod: Production): Promise<number> {
  const created = await call(sandbox, "POST", "/webhook", {
    endpoint: prod.url,
    secret: PROD_SECRET,
    events: ["certificate_issued"],
    webhook_settings: {
      webhook_send_certificate_chain: "1",
      webhook_send_instant_issued_certificate_chain: "1",
      instant_issue_webhook_notification: "0",
      webhook_notification_frequency: [30, 7],
    },
  });
  assert.equal(created.status, 201, created.text);
  const id = (created.json as { webhook_id: number }).webhook_id;
  const before = prod.tokens().length;
  const requests = prod.server.requests.length;
  assert.equal((await call(sandbox, "PUT", `/webhook/${id}/send-challenge`)).status, 204);
  await prod.server.waitFor(requests + 1);
  const token = prod.tokens()[before];
  assert.ok(token, "the challenge reached the endpoint");
  assert.equal((await call(sandbox, "PUT", `/webhook/${id}/check-challenge`, { token })).status, 204);
  assert.equal((await call(sandbox, "PUT", `/webhook/${id}/activate`)).status, 204);
  return id;
}

test("a failed --on-exit restore prints the update-url that puts back events, settings and the secret; running it works", async (t) => {
  const sandbox = await withSandbox(t);
  const prod = await startProduction(t);
  const id = await activeProductionWebhook(sandbox, prod);

  const listen = spawnCli(
    t,
    [
      "listen",
      ...(await loopbackPublicArgs()),
      "--json",
      "--no-journal",
      "--force",
      "--on-exit",
      "restore",
      "--event",
      "certificate_revoked",
    ],
    { env: envFor(sandbox) },
  );
  const ready = await listen.line((x) => x.type === "ready");
  assert.deepEqual(sandbox.webhook()?.events, ["certificate_revoked"]);
  // The production receiver is down at exit: CertCentral's probe of the restore fails (400 webhook_endpoint_error).
  prod.state.down = true;
  listen.child.kill("SIGINT");
  assert.equal((await listen.exit).code, 130, listen.stderr());

  const onExit = listen.lines.find(isState("on_exit"));
  assert.equal(onExit?.outcome, "failed", JSON.stringify(onExit));
  const message = String(onExit?.message);
  assert.match(
    message,
    /^Could not restore webhook \d+ to .* \(HTTP 400 webhook_endpoint_error\)\. It was deactivated instead\./,
  );
  const command = String(onExit?.command);
  assert.ok(message.includes(`\`${command}\``), `the message names the same command: ${message}`);
  assert.equal(
    command,
    `certwh update-url --url ${prod.url} --events certificate_issued --secret-env CERTWH_PREVIOUS_SECRET ` +
      "--chain --no-instant --frequency 30,7",
  );
  assert.match(message, /with the environment variable CERTWH_PREVIOUS_SECRET holding the secret .* checks/);
  assert.match(message, /--secret-file PATH/);
  assert.match(message, /never prints secrets/);
  const printed = listen.stdout() + listen.stderr();
  assert.ok(!printed.includes(PROD_SECRET), "the previous secret is never shown");

  // Left behind: listen's endpoint, secret and events, deactivated.
  const left = sandbox.webhook();
  assert.equal(left?.id, id);
  assert.equal(left?.endpoint, ready.public_url);
  assert.equal(left?.status, "inactive");
  assert.notEqual(left?.secret, PROD_SECRET);

  // status does not suggest `certwh activate` for it (that would post into the closed tunnel).
  const status = await runCli(["status"], { env: envFor(sandbox) });
  assert.equal(status.code, 0, status.stderr);
  assert.doesNotMatch(status.stderr, /Resume with `certwh activate`/);
  assert.match(status.stderr, /points at a `certwh listen` receiver .*`certwh update-url --url <https-url>`/);
  const statusJson = await runCli(["status", "--json"], { env: envFor(sandbox) });
  assert.equal(JSON.parse(statusJson.stdout).next, "certwh update-url --url <https-url>");

  // The production receiver is back; the command runs as printed, with the previous secret supplied.
  prod.state.down = false;
  const words = command.split(" ");
  assert.ok(!/['"\\]/.test(command), "nothing to unquote");
  assert.equal(words[0], "certwh");
  const home = tempDir();
  const env = { ...envFor(sandbox), CERTWH_PREVIOUS_SECRET: PROD_SECRET };
  const tokensBefore = prod.tokens().length;
  const update = await runCli(words.slice(1), { env, configHome: home });
  assert.equal(update.code, 0, update.stderr);
  const token = prod.tokens()[tokensBefore];
  assert.ok(token, `the challenge reached the production receiver: ${update.stderr}`);
  const verify = await runCli(["verify", "--token", token], { env, configHome: home });
  assert.equal(verify.code, 0, verify.stderr);

  const restored = sandbox.webhook();
  assert.equal(restored?.endpoint, prod.url);
  assert.equal(restored?.status, "active");
  assert.equal(restored?.secret, PROD_SECRET);
  assert.deepEqual(restored?.events, ["certificate_issued"]);
  assert.deepEqual(restored?.webhook_settings, {
    webhook_send_certificate_chain: "1",
    webhook_send_instant_issued_certificate_chain: "1",
    instant_issue_webhook_notification: "0",
    webhook_notification_frequency: [30, 7],
  });
  const delivery = await sandbox.emit("certificate_issued", { order_id: 7 });
  assert.equal(delivery?.status, 200, "the production receiver accepts the delivery's key");
});

test("a failed restore of mixed chain settings names the setting to set by hand; a failed fallback deactivate names `certwh deactivate`", async (t) => {
  const sandbox = await withSandbox(t);
  const prod = await startProduction(t);
  const id = await activeProductionWebhook(sandbox, prod);
  const mixed = await call(sandbox, "PUT", `/webhook/${id}`, {
    endpoint: prod.url,
    webhook_settings: {
      webhook_send_certificate_chain: "1",
      webhook_send_instant_issued_certificate_chain: "0",
    },
  });
  assert.ok(mixed.status < 300, mixed.text);
  assert.equal(sandbox.webhook()?.webhook_settings?.webhook_send_instant_issued_certificate_chain, "0");

  const listen = spawnCli(
    t,
    [
      "listen",
      ...(await loopbackPublicArgs()),
      ...["--json", "--no-journal", "--force", "--on-exit", "restore"],
    ],
    { env: envFor(sandbox) },
  );
  await listen.line((x) => x.type === "ready");
  prod.state.down = true; // the restore fails
  sandbox.inject(
    "PUT /webhook/:id/deactivate",
    ...Array.from({ length: API_ATTEMPTS }, () => ({ status: 503, retryAfter: "0" })),
  );
  listen.child.kill("SIGINT");
  assert.equal((await listen.exit).code, 130, listen.stderr());

  const onExit = listen.lines.find(isState("on_exit"));
  assert.equal(onExit?.outcome, "failed", JSON.stringify(onExit));
  const message = String(onExit?.message);
  const command = String(onExit?.command);
  assert.doesNotMatch(command, /--(no-)?chain/, "update-url cannot say these chain settings");
  assert.doesNotMatch(message, /Put back its endpoint, events, settings and secret/);
  assert.match(
    message,
    /update-url cannot set the certificate chain settings \(webhook_send_certificate_chain on, webhook_send_instant_issued_certificate_chain off: --chain sets both alike\): set that again by hand in the CertCentral console/,
  );
  assert.ok(message.includes(`\`${command}\``), message);
  // The fallback deactivate failed too: the webhook still posts into the closed session.
  assert.equal(sandbox.webhook()?.status, "active");
  assert.match(message, /Deactivating it failed too: it is still active, and `certwh deactivate` stops/);
});
