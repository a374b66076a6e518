// `certwh listen --sandbox` forwarding through the built CLI: several --forward-to targets, a refusing app's
// answer shown, a self-signed local app with and without --skip-verify, and --host. Every app is on 127.0.0.1.
import assert from "node:assert/strict";
import { describe, type TestContext, test } from "node:test";
import { type JsonLine, type Running, runCli, spawnCli } from "../helpers/cli.js";
import { startLoopback } from "../helpers/loopback.js";
import { emitThroughListen } from "../helpers/sandbox.js";
import { startHttpsApp } from "../helpers/self-signed.js";
import { sleep } from "../helpers/wait.js";

/** Has the in-process sandbox deliver certificate_issued for `orderId` to the receiver. */
const emit = (ready: JsonLine, orderId: number) =>
  emitThroughListen(ready, { order_id: orderId, certificate_id: 1 });

const orderOf = (r: { json: unknown }) => (r.json as { data: { order_id: number } }).data.order_id;

/**
 * An app that fails `poisonOrder` alone (answers 500, or with "silence" never answers it) and answers 200
 * to the rest, and `listen --sandbox` forwarding to it.
 */
async function forwardToPoisonApp(t: TestContext, poisonOrder: number, failWith: "500" | "silence" = "500") {
  const app = await startLoopback((r, res) => {
    if (orderOf(r) !== poisonOrder) res.writeHead(200).end();
    else if (failWith === "500") res.writeHead(500).end();
  }, t);
  const url = `${app.origin}/hook`;
  const l = spawnCli(t, ["listen", "--sandbox", "--json", "--forward-to", url], { killAfterMs: 90_000 });
  const ready = await l.line((x) => x.type === "ready");
  return { app, url, l, ready };
}

const finalForward = (url: string) => (l: JsonLine) =>
  l.type === "forward" && l.url === url && l.final === true;

async function stop(l: Running): Promise<void> {
  l.child.kill("SIGINT");
  assert.equal((await l.exit).code, 130, l.stderr());
}

describe("certwh listen --forward-to", () => {
  test("two targets both get every event; a failing one holds back nothing; the summary counts each", async (t) => {
    const good = await startLoopback(undefined, t);
    const failing = await startLoopback(
      (_r, res) => res.writeHead(500).end(`<h1>oops</h1>\n${"y".repeat(700)}`),
      t,
    );
    const [a, b] = [`${good.origin}/a`, `${failing.origin}/b`];
    const l = spawnCli(t, ["listen", "--sandbox", "--json", "--forward-to", a, "--forward-to", b]);
    const ready = await l.line((x) => x.type === "ready");
    assert.deepEqual(ready.forward_targets, [a, b]);
    assert.equal(ready.forward_to, a);

    await emit(ready, 101);
    await emit(ready, 102);
    await l.until(() => l.lines.filter(finalForward(a)).length >= 2 && true, "both events delivered to a");
    assert.deepEqual(
      good.requests.map((r) => (r.json as { data: { order_id: number } }).data.order_id),
      [101, 102],
    );
    // The failing target is retried; each attempt says what the app answered, cut to 512 bytes.
    const refused = await l.line((x) => x.type === "forward" && x.url === b && x.status === 500);
    assert.equal(refused.ok, false);
    assert.equal(refused.response_truncated, true);
    // The exact characters, cut at 512 bytes (not escaped: the JSON escapes them, the parsed value is exact).
    assert.equal(refused.response_body, `<h1>oops</h1>\n${"y".repeat(512 - "<h1>oops</h1>\n".length)}`);
    await failing.waitFor(2);
    assert.ok(
      failing.requests.some((r) => (r.json as { data: { order_id: number } }).data.order_id === 102),
      "the second event reached the failing target too",
    );

    await stop(l);
    const summary = l.lines.find((x) => x.type === "forward_summary");
    const [ofA, ofB] = (summary?.targets ?? []) as Record<string, unknown>[];
    assert.deepEqual(ofA, { url: a, events: 2, delivered: 2, failed: 0, unfinished: 0 });
    assert.equal(ofB?.url, b);
    assert.equal(ofB?.events, 2);
    assert.equal(ofB?.delivered, 0);
    assert.equal(Number(ofB?.failed) + Number(ofB?.unfinished), 2);
  });

  test("one event the app always fails does not hold back the next for its whole 20 tries; it gives up after its 5", async (t) => {
    // The app's handler throws on order 1 alone: that event is poison, the app is fine.
    const { app, url, l, ready } = await forwardToPoisonApp(t, 1);
    await emit(ready, 1);
    // Three failures in a row: the app looks down, and the oldest event alone would probe it.
    await l.until(() => app.requests.filter((r) => orderOf(r) === 1).length >= 3, "3 tries of 1");
    await emit(ready, 2);
    const second = await l.line((x) => finalForward(url)(x) && x.status === 200, 10_000);
    assert.equal(second.ok, true);
    const first = await l.line((x) => finalForward(url)(x) && x.status === 500, 30_000);
    assert.equal(first.ok, false);
    assert.ok(Number(first.attempt) < 20, `gave up after ${first.attempt} tries, not the ceiling`);
    const gaveUp = l.lines.find((x) => x.type === "warning" && /^Gave up/.test(String(x.message)));
    assert.match(String(gaveUp?.message), /certificate_issued [0-9a-f]{16} \(your app answered 500\)/);
    await stop(l);
  });

  test("an event the app fails while it took another is not the app down: 5 attempts, no app-down warning", async (t) => {
    const { app, url, l, ready } = await forwardToPoisonApp(t, 9003);
    await emit(ready, 9001);
    await l.line((x) => finalForward(url)(x) && x.status === 200);
    await emit(ready, 9003);
    // Its retries after 0.5, 1, 2 and 4 s at most (5 attempts, all counted).
    const poison = await l.line((x) => finalForward(url)(x) && x.status === 500, 20_000);
    assert.equal(poison.attempt, 5);
    assert.equal(app.requests.filter((r) => orderOf(r) === 9003).length, 5);
    const warnings = l.lines.filter((x) => x.type === "warning").map((x) => String(x.message));
    assert.deepEqual(
      warnings.filter((m) => !/^Gave up/.test(m)),
      [],
    );
    await stop(l);
  });

  test("an event the app never answers while it takes the others holds none of them: no app-down warning, 5 attempts", async (t) => {
    const { app, url, l, ready } = await forwardToPoisonApp(t, 7002, "silence");
    await emit(ready, 7001);
    await l.line((x) => finalForward(url)(x) && x.status === 200);
    await emit(ready, 7002);
    // Three timeouts (10 s each) in a row, all its own: until now, the app counted as down from here on,
    // and 7002 probed it alone, holding the next events for its timeout.
    await l.line((x) => x.type === "forward" && x.url === url && x.attempt === 3, 45_000);
    await emit(ready, 7003);
    await emit(ready, 7004);
    const poison = await l.line((x) => finalForward(url)(x) && x.error === "timeout", 45_000);
    assert.equal(poison.attempt, 5);
    // Forward lines name the journal id; the event lines tie it to the order.
    const orders = new Map(
      l.lines
        .filter((x) => x.type === "event")
        .map((x) => [x.id, (x.data as { order_id?: number } | null)?.order_id]),
    );
    const forwards = l.lines.filter((x) => x.type === "forward" && x.url === url);
    const finals = forwards.filter((x) => x.final === true).map((x) => [orders.get(x.id), x.ok]);
    assert.deepEqual(finals, [
      [7001, true],
      [7003, true],
      [7004, true],
      [7002, false],
    ]);
    // Delivered at once, not held behind its 4th try (which waited out another 10 s timeout).
    const fourth = forwards.findIndex((x) => orders.get(x.id) === 7002 && x.attempt === 4);
    const last = forwards.findIndex((x) => orders.get(x.id) === 7004 && x.final === true);
    assert.ok(last < fourth, `7004 arrived before 7002's 4th try ended: ${last}, ${fourth}`);
    assert.deepEqual(
      app.requests.map(orderOf).filter((n) => n !== 7002),
      [7001, 7003, 7004],
    );
    const warnings = l.lines.filter((x) => x.type === "warning").map((x) => String(x.message));
    assert.deepEqual(
      warnings.filter((m) => !/^Gave up/.test(m)),
      [],
    );
    assert.match(String(warnings[0]), /\(no answer within the time limit \(timeout\)\)/);
    await stop(l);
  });

  test("a refusing app's answer: exact characters in --json's response_body, escaped in the human line", async (t) => {
    const said = 'bad\u001b[31m "q" \\ end';
    const app = await startLoopback((_r, res) => res.writeHead(400).end(said), t);
    const url = `${app.origin}/hook`;
    const json = spawnCli(t, ["listen", "--sandbox", "--json", "--no-journal", "--forward-to", url]);
    await emit(await json.line((x) => x.type === "ready"), 404);
    const refused = await json.line(finalForward(url));
    assert.equal(refused.status, 400);
    assert.equal(refused.response_body, said);
    assert.equal(refused.response_truncated, false);
    assert.ok(
      json.stdout().includes(String.raw`"response_body":"bad\u001b[31m \"q\" \\ end"`),
      json.stdout(),
    );
    await stop(json);

    const human = spawnCli(t, ["listen", "--sandbox", "--no-journal", "--forward-to", url]);
    await human.stderrIncludes("From another shell: certwh trigger certificate_issued", 20_000);
    const ready = /API key ([A-Za-z0-9_-]+)\)/.exec(human.stderr());
    const sandboxUrl = /Sandbox\s+(http:\S+)/.exec(human.stderr())?.[1];
    assert.ok(ready && sandboxUrl, human.stderr());
    await emit({ sandbox_url: sandboxUrl, sandbox_api_key: ready[1] }, 405);
    await human.until(
      () => human.stdout().includes("<-- [400]") && human.stdout().includes(" end"),
      "the refused forward",
    );
    assert.ok(human.stdout().includes(String.raw`| bad\u001b[31m "q" \ end`), human.stdout());
    assert.ok(!human.stdout().includes("\u001b"), "no raw escape reaches the terminal");
    await stop(human);
  });

  test("a second Ctrl-C while forwards drain stops waiting and still names them with their replay command", async (t) => {
    const hanging = await startLoopback(() => undefined, t); // never answers
    const url = `${hanging.origin}/slow`;
    const l = spawnCli(t, ["listen", "--sandbox", "--json", "--forward-to", url]);
    await emit(await l.line((x) => x.type === "ready"), 303);
    await hanging.waitFor(1);
    l.child.kill("SIGINT");
    await l.line((x) => x.type === "state" && x.stage === "draining");
    await sleep(150); // a signal within 100 ms of the first counts as the same one (conf re-raises it)
    l.child.kill("SIGINT");
    assert.equal((await l.exit).code, 130, l.stderr());
    assert.match(l.stderr(), /Interrupted again: not waiting any longer/);
    const unfinished = l.lines.find((x) => x.type === "unfinished");
    const [left] = (unfinished?.forward ?? []) as Record<string, unknown>[];
    assert.equal(left?.url, url, JSON.stringify(unfinished));
    assert.equal(left?.count, 1);
    assert.match(String(left?.command), /^certwh replay --journal .+ --to .+\/slow --since \S+ --id \S+$/);
  });

  test("while forwards drain after Ctrl-C, a new delivery is answered 503 with Retry-After, not refused", async (t) => {
    const hanging = await startLoopback(() => undefined, t); // never answers
    const secret = "drain-test-secret-0123456789abcdef";
    const l = spawnCli(
      t,
      ["listen", "--sandbox", "--json", "--secret-env", "S", "--forward-to", `${hanging.origin}/x`],
      {
        env: { S: secret },
      },
    );
    const ready = await l.line((x) => x.type === "ready");
    await emit(ready, 404);
    await hanging.waitFor(1);
    l.child.kill("SIGINT");
    await l.line((x) => x.type === "state" && x.stage === "draining");
    const late = await fetch(String(ready.local_url), {
      method: "POST",
      headers: { "content-type": "application/json", "x-webhook-key": secret },
      body: JSON.stringify({ event: "certificate_issued", data: { order_id: 405 } }),
    });
    assert.equal(late.status, 503);
    assert.equal(late.headers.get("retry-after"), "60");
    assert.equal((await l.exit).code, 130, l.stderr());
  });

  test("human output: the refusing app's answer under its line, and a Forwarded: line per target at exit", async (t) => {
    const good = await startLoopback(undefined, t);
    const refusing = await startLoopback(
      (_r, res) => res.writeHead(422).end(`bad\u001b[2J ${"z".repeat(600)}`),
      t,
    );
    const [a, b] = [`${good.origin}/ok`, `${refusing.origin}/no`];
    const l = spawnCli(t, ["listen", "--sandbox", "--no-journal", "--forward-to", a, "--forward-to", b]);
    await l.stderrIncludes("From another shell: certwh trigger certificate_issued");
    assert.match(l.stderr(), new RegExp(`Forwarding\\s+${a}\\n\\s+${b}\\n`));
    const key = /API key ([A-Za-z0-9_-]+)\)/.exec(l.stderr())?.[1];
    const sandboxUrl = /Sandbox\s+(http:\S+)/.exec(l.stderr())?.[1];
    await emit({ sandbox_url: sandboxUrl, sandbox_api_key: key }, 7);
    await l.until(
      () => l.stdout().includes(`POST ${a}`) && l.stdout().includes("cut at 512 bytes"),
      "both forward lines",
    );
    assert.match(
      l.stdout(),
      new RegExp(
        `<-- \\[422\\] certificate_issued [0-9a-f]{16} → POST ${b} \\(\\d+ ms\\)\\n {10}\\| bad\\\\u001b\\[2J z+ …\\(cut at 512 bytes\\)`,
      ),
    );
    assert.ok(!l.stdout().includes("\u001b"), "the app's escape sequence is shown escaped");
    await stop(l);
    assert.match(l.stderr(), new RegExp(`Forwarded: ${a}  1 delivered, 0 failed of 1 event`));
    assert.match(l.stderr(), new RegExp(`Forwarded: ${b}  0 delivered, 1 failed of 1 event`));
  });

  test("a self-signed https app on this computer: delivered with --skip-verify, refused with a sentence without", async (t) => {
    const app = await startHttpsApp(t);
    const url = `${app.origin}/hook`;
    const strict = spawnCli(t, ["listen", "--sandbox", "--json", "--no-journal", "--forward-to", url]);
    const ready = await strict.line((x) => x.type === "ready");
    assert.equal(ready.skip_verify, undefined);
    await emit(ready, 1);
    const refused = await strict.line(finalForward(url));
    assert.equal(refused.ok, false);
    assert.equal(refused.attempt, 1, "a certificate is not retried");
    assert.match(String(refused.error), /^certificate not trusted \(/);
    const warning = await strict.line(
      (x) => x.type === "warning" && String(x.message).includes("TLS certificate"),
    );
    assert.match(String(warning.message), /not trusted .*add --skip-verify/);
    await stop(strict);
    assert.equal(app.bodies.length, 0);

    const lenient = spawnCli(t, [
      "listen",
      "--sandbox",
      "--json",
      "--no-journal",
      "--forward-to",
      url,
      "--skip-verify",
    ]);
    const ready2 = await lenient.line((x) => x.type === "ready");
    assert.equal(ready2.skip_verify, true);
    await emit(ready2, 2);
    const delivered = await lenient.line(finalForward(url));
    assert.equal(delivered.ok, true, JSON.stringify(delivered));
    assert.equal(delivered.status, 200);
    await stop(lenient);
    assert.equal(app.bodies.length, 1);
  });

  test("--skip-verify for an app on another machine, or a target given twice, is refused before anything starts", async () => {
    const cases: [string[], RegExp][] = [
      [
        ["--forward-to", "https://app.example.com/hook", "--skip-verify"],
        /--skip-verify is refused for https:\/\/app\.example\.com\/hook: it is not on this computer/,
      ],
      [["--forward-to", "http://127.0.0.1:9/x", "--forward-to", "http://127.0.0.1:9/x"], /is given twice/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(["listen", "--sandbox", "--no-journal", ...args]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /Created webhook/);
    }
  });

  test("--host 0.0.0.0 binds every address, says the receiver is reachable from the network, and still checks the key", async (t) => {
    const l = spawnCli(t, ["listen", "--sandbox", "--json", "--no-journal", "--host", "0.0.0.0"]);
    const ready = await l.line((x) => x.type === "ready");
    // The loopback address that reaches the wildcard-bound receiver, not 0.0.0.0 (no destination).
    assert.match(String(ready.local_url), /^http:\/\/127\.0\.0\.1:\d+\/hook\//);
    assert.equal((ready.protections as { source_check: string }).source_check, "any peer (--host 0.0.0.0)");
    assert.match(l.stderr(), /--host 0\.0\.0\.0: the receiver is reachable from the network/);
    await emit(ready, 3);
    await l.line((x) => x.type === "event" && x.event === "certificate_issued");
    const port = new URL(String(ready.local_url)).port;
    const stranger = await fetch(`http://127.0.0.1:${port}${new URL(String(ready.local_url)).pathname}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ event: "certificate_issued", data: { order_id: 4 } }),
    });
    assert.equal(stranger.status, 401, "no X-WEBHOOK-KEY, no entry");
    await stop(l);
  });
});
