// The built CLI's `listen` against a sandbox that behaves the other way where DigiCert's pages are silent
// (spec §17 #17–19): deliveries without Content-Type, numeric tokens, handshakes without X-WEBHOOK-KEY, and
// repeated deliveries. The sandbox runs in this test process; listen reaches it with CERTWH_BASE_URL.
import assert from "node:assert/strict";
import { describe, type TestContext, test } from "node:test";
import type { SandboxQuirk } from "../../src/sandbox/quirks.js";
import type { Sandbox } from "../../src/sandbox/types.js";
import { isState, spawnCli } from "../helpers/cli.js";
import { freePort } from "../helpers/port.js";
import { withSandbox } from "../helpers/sandbox.js";

const envFor = (sandbox: Sandbox) => ({ CERTWH_BASE_URL: sandbox.url, CERTWH_API_KEY: sandbox.apiKey });

async function listen(t: TestContext, quirks: SandboxQuirk[], extra: string[]) {
  const sandbox = await withSandbox(t, { quirks });
  const port = await freePort();
  const l = spawnCli(
    t,
    ["listen", "--port", String(port), "--public-url", `http://127.0.0.1:${port}`, "--no-journal", ...extra],
    { env: envFor(sandbox) },
  );
  return { sandbox, l };
}

describe("certwh listen against sandbox quirks", () => {
  test("no-content-type, numeric-token, handshake-no-key: ready, and the key-less challenge is reported", async (t) => {
    const { sandbox, l } = await listen(
      t,
      ["no-content-type", "numeric-token", "handshake-no-key"],
      ["--json"],
    );
    const ready = await l.line((x) => x.type === "ready");
    assert.equal(sandbox.webhook()?.status, "active");
    const accepted = l.lines.filter(isState("handshake_accepted"));
    assert.ok(
      accepted.some((x) => x.event === "challenge_webhook_endpoint" && x.key === "missing"),
      l.stdout(),
    );
    await sandbox.emit("certificate_issued", { order_id: 4242 });
    const event = await l.line((x) => x.type === "event" && x.event === "certificate_issued");
    assert.equal((event.data as { order_id?: number }).order_id, 4242);
    assert.equal(event.handshake_key, undefined);
    assert.equal(typeof ready.webhook_id, "number");
    l.child.kill("SIGINT");
    assert.equal((await l.exit).code, 130, l.stderr());
  });

  test("human output says the challenge came without X-WEBHOOK-KEY; repeats are printed and marked", async (t) => {
    const { sandbox, l } = await listen(t, ["handshake-no-key", "repeat-deliveries"], []);
    await l.stderrIncludes("events now reach this computer");
    assert.match(l.stderr(), /Accepted the challenge without X-WEBHOOK-KEY \(a verification is under way\)/);
    await sandbox.emit("certificate_revoked", { order_id: 77, certificate_id: 78 });
    for (let i = 0; i < 500 && !/repeat of \d\d:\d\d:\d\d, passed on/.test(l.stdout()); i++)
      await new Promise((r) => setTimeout(r, 20));
    const lines = l
      .stdout()
      .split("\n")
      .filter((x) => x.includes("certificate_revoked"));
    assert.equal(lines.length, 2, l.stdout());
    assert.match(lines[1], /order 77 {2}cert 78 {2}\(repeat of \d\d:\d\d:\d\d, passed on\)/);
    l.child.kill("SIGTERM");
    assert.equal((await l.exit).code, 143, l.stderr());
  });

  test("--drop-repeats: the repeat is answered but not passed on", async (t) => {
    const { sandbox, l } = await listen(t, ["repeat-deliveries"], ["--json", "--drop-repeats"]);
    await l.line((x) => x.type === "ready");
    await sandbox.emit("certificate_issued", { order_id: 5 });
    const dup = await l.line((x) => x.type === "duplicate");
    assert.equal(dup.event, "certificate_issued");
    assert.equal(typeof dup.first_received_at, "string");
    assert.equal(l.lines.filter((x) => x.type === "event" && x.event === "certificate_issued").length, 1);
    l.child.kill("SIGINT");
    assert.equal((await l.exit).code, 130, l.stderr());
  });
});
