// `certwh listen --public-url-file F` through the built CLI: the test plays the user's tunnel by
// rewriting F. An emptied file is a drop; the same URL back changes nothing in the account; a new URL
// (a second loopback port forwarding to the receiver) is followed by re-pointing and re-verifying the
// webhook; a drop longer than --tunnel-grace ends listen with exit 7.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { createConnection, createServer, type Server } from "node:net";
import { join } from "node:path";
import { describe, type TestContext, test } from "node:test";
import type { Sandbox } from "../../src/sandbox/types.js";
import { isState, spawnCli, tempDir } from "../helpers/cli.js";
import { freePort } from "../helpers/port.js";
import { withSandbox } from "../helpers/sandbox.js";

/** A loopback TCP forwarder: a second public address for the same receiver. */
async function forwarder(t: TestContext, targetPort: number): Promise<number> {
  const server: Server = createServer((socket) => {
    const upstream = createConnection({ host: "127.0.0.1", port: targetPort });
    socket.pipe(upstream).pipe(socket);
    socket.on("error", () => upstream.destroy());
    upstream.on("error", () => socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const address = server.address();
  assert.ok(address && typeof address === "object");
  return address.port;
}

const stateChanges = (sandbox: Sandbox) => sandbox.requests.filter((r) => r.method !== "GET").length;

async function start(t: TestContext, extra: string[] = []) {
  const sandbox = await withSandbox(t);
  const port = await freePort();
  const file = join(tempDir(), "tunnel-url");
  writeFileSync(file, `http://127.0.0.1:${port}\n`);
  const l = spawnCli(
    t,
    [
      "listen",
      ...["--port", String(port), "--public-url-file", file, "--json"],
      ...(extra.includes("--journal") ? [] : ["--no-journal"]),
      ...extra,
    ],
    { env: { CERTWH_BASE_URL: sandbox.url, CERTWH_API_KEY: sandbox.apiKey } },
  );
  await l.line((x) => x.type === "ready");
  return { sandbox, port, file, l };
}

describe("certwh listen --public-url-file", () => {
  test("a drop and the same URL back: shown, and nothing changes in the account", async (t) => {
    const { sandbox, port, file, l } = await start(t);
    const before = stateChanges(sandbox);
    writeFileSync(file, "");
    await l.line((x) => x.type === "tunnel_down");
    writeFileSync(file, `http://127.0.0.1:${port}\n`);
    const up = await l.line((x) => x.type === "tunnel_up");
    assert.equal(up.url_changed, false);
    assert.equal(stateChanges(sandbox), before, "no API call for the same URL");
    assert.equal(sandbox.webhook()?.status, "active");
    l.child.kill("SIGINT");
    assert.equal((await l.exit).code, 130);
  });

  test("a new URL: the webhook is re-pointed, re-verified and active again, and events flow", async (t) => {
    const { sandbox, port, file, l } = await start(t);
    const second = await forwarder(t, port);
    writeFileSync(file, `http://127.0.0.1:${second}\n`);
    await l.line(isState("reverified"), 15_000);
    const hook = sandbox.webhook();
    assert.ok(hook?.endpoint.startsWith(`http://127.0.0.1:${second}/hook/`), hook?.endpoint);
    assert.equal(hook?.status, "active");
    await sandbox.emit("certificate_issued", { order_id: 9, certificate_id: 10 });
    const event = await l.line((x) => x.type === "event" && x.event === "certificate_issued");
    assert.deepEqual((event.data as { order_id: number }).order_id, 9);
    l.child.kill("SIGINT");
    assert.equal((await l.exit).code, 130);
    assert.equal(sandbox.webhook()?.status, "inactive");
  });

  test("down longer than --tunnel-grace: exit 7, the webhook is deactivated, the replay of what arrived named", async (t) => {
    const journal = join(tempDir(), "journal.ndjson");
    const { sandbox, file, l } = await start(t, ["--tunnel-grace", "1s", "--journal", journal]);
    await sandbox.emit("certificate_issued", { order_id: 11, certificate_id: 12 });
    await l.line((x) => x.type === "event" && x.event === "certificate_issued");
    writeFileSync(file, "");
    const exit = await l.exit;
    assert.equal(exit.code, 7, l.stderr());
    assert.equal(sandbox.webhook()?.status, "inactive");
    // The failure, as an interruption, says where this session's events are and how to deliver them again.
    assert.ok(
      l
        .stderr()
        .includes(`What arrived in this session is in ${journal}: \`certwh replay --journal ${journal}`),
      l.stderr(),
    );
  });

  test("no such file at start: exit 7 at once, and the account untouched", async (t) => {
    const sandbox = await withSandbox(t);
    const port = await freePort();
    const file = join(tempDir(), "missing-url");
    const l = spawnCli(t, ["listen", "--port", String(port), "--public-url-file", file, "--json"], {
      env: { CERTWH_BASE_URL: sandbox.url, CERTWH_API_KEY: sandbox.apiKey },
    });
    const exit = await l.exit;
    assert.equal(exit.code, 7, l.stderr());
    assert.match(l.stderr(), /no such file/);
    assert.equal(sandbox.requests.length, 0);
  });
});
