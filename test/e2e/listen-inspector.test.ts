// listen's local web inspector through the built CLI: the ready event names it, its token opens it, and a
// triggered event reaches /events; --no-inspect starts none.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { spawnCli } from "../helpers/cli.js";
import { ask, logIn, openEvents } from "../helpers/inspector.js";
import { portClosed } from "../helpers/port.js";

describe("certwh listen's inspector", () => {
  test("--sandbox --json: ready carries inspector_url; its token opens the page; a triggered event is on /events", async (t) => {
    const l = spawnCli(t, ["listen", "--sandbox", "--json", "--no-journal"]);
    const ready = await l.line((x) => x.type === "ready");
    const url = String(ready.inspector_url);
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{32}$/);

    const { port, cookie, answer } = await logIn(url);
    assert.equal(answer.status, 303);
    assert.equal((await ask(port, "/")).status, 401, "no cookie, no page");
    const page = await ask(port, "/", { headers: { cookie } });
    assert.equal(page.status, 200);
    assert.match(String(page.headers["content-security-policy"]), /^default-src 'none'/);

    const stream = await openEvents(port, cookie);
    t.after(() => stream.close());
    const shownReady = await stream.until((es) => es.find((e) => e.type === "ready"), "ready in the history");
    assert.equal(shownReady.webhook_id, ready.webhook_id);
    assert.ok(!("sandbox_api_key" in shownReady), "the sandbox key stays off the page");

    const emit = await fetch(new URL("/sandbox/v1/emit", String(ready.sandbox_url)), {
      method: "POST",
      headers: { "x-dc-devkey": String(ready.sandbox_api_key), "content-type": "application/json" },
      body: JSON.stringify({ event: "certificate_revoked", data: { order_id: 77, certificate_id: 78 } }),
    });
    assert.equal(emit.status, 200);
    const shown = await stream.until(
      (es) => es.find((e) => e.type === "event" && e.event === "certificate_revoked"),
      "the triggered event on /events",
    );
    assert.deepEqual(shown.data, { order_id: 77, certificate_id: 78 });
    assert.ok(!stream.raw().includes(String(ready.sandbox_api_key)));

    l.child.kill("SIGINT");
    assert.equal((await l.exit).code, 130, l.stderr());
    assert.ok(await portClosed(url), "the inspector is closed when listen ends");
  });

  test("human output names the inspector in the ready block; --no-inspect starts none", async (t) => {
    const human = spawnCli(t, ["listen", "--sandbox", "--no-journal"]);
    await human.stderrIncludes("From another shell: certwh trigger");
    assert.match(human.stderr(), /Inspector\s+http:\/\/127\.0\.0\.1:\d+\/\?token=/);
    human.child.kill("SIGINT");
    await human.exit;

    const l = spawnCli(t, ["listen", "--sandbox", "--json", "--no-journal", "--no-inspect"]);
    const ready = await l.line((x) => x.type === "ready");
    assert.ok(!("inspector_url" in ready), JSON.stringify(ready));
    assert.doesNotMatch(l.stderr(), /Inspector/);
    l.child.kill("SIGINT");
    assert.equal((await l.exit).code, 130, l.stderr());
  });

  test("a journal that cannot be written stops listen before the inspector is announced", async (t) => {
    const l = spawnCli(t, ["listen", "--sandbox", "--journal", "/dev/null"]);
    assert.equal((await l.exit).code, 2, l.stderr());
    assert.match(l.stderr(), /Cannot write the journal \/dev\/null/);
    assert.doesNotMatch(l.stderr(), /Inspector/);
  });
});
