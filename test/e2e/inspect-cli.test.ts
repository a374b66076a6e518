// `certwh inspect` through the built CLI: a missing journal is exit 5 with a sentence; --json prints the
// ready line whose URL opens the page over the journal's deliveries; the default journal is listen's; Ctrl-C
// is exit 130.
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { describe, test } from "node:test";
import { runCli, spawnCli, tempDir } from "../helpers/cli.js";
import { ask, asThePage, logIn, postJson } from "../helpers/inspector.js";

function journalLine(i: number): string {
  const body = JSON.stringify({
    event: "certificate_issued",
    data: { order_id: i, certificate_id: i + 1000 },
  });
  return JSON.stringify({
    received_at: "2026-01-31T09:00:00.000Z",
    id: `e${String(i).padStart(15, "0")}`,
    event: "certificate_issued",
    body,
    headers: { "content-type": "application/json" },
    key_present: true,
  });
}

/** The page's replay of the journal's first delivery. */
const replayFirst = (port: number, cookie: string) =>
  postJson(port, "/api/replay", { ids: [`e${"1".padStart(15, "0")}`] }, asThePage(port, cookie));

describe("certwh inspect", () => {
  test("a missing journal: exit 5 and a sentence naming it; a bad --port: exit 2", async () => {
    const dir = tempDir("certwh-inspect-");
    const missing = join(dir, "nope.ndjson");
    const r = await runCli(["inspect", "--journal", missing]);
    assert.equal(r.code, 5, r.stderr);
    assert.match(r.stderr, new RegExp(`No journal at ${missing.replaceAll("/", "\\/")}\\.`));
    assert.equal(r.stdout, "");
    const port = await runCli(["inspect", "--journal", missing, "--port", "http"]);
    assert.equal(port.code, 2, port.stderr);
    assert.match(port.stderr, /--port must be a number/);
  });

  test("no default journal but a sandbox one: named as replay names it (exit 5); a folder is not a journal (exit 2)", async () => {
    const state = tempDir("certwh-inspect-");
    mkdirSync(join(state, "certwh"));
    writeFileSync(join(state, "certwh", "sandbox-journal.ndjson"), `${journalLine(1)}\n`);
    const r = await runCli(["inspect"], { env: { XDG_STATE_HOME: state } });
    assert.equal(r.code, 5, r.stderr);
    assert.ok(
      r.stderr.includes(`in ${join(state, "certwh", "sandbox-journal.ndjson")}: pass it with --journal`),
      r.stderr,
    );
    const folder = await runCli(["inspect", "--journal", state]);
    assert.equal(folder.code, 2, folder.stderr);
    assert.match(folder.stderr, /it is a folder, not a regular file/);
  });

  test("--json: the ready line's URL opens the page with the journal's deliveries; Ctrl-C exits 130", async (t) => {
    const dir = tempDir("certwh-inspect-");
    const file = join(dir, "journal.ndjson");
    writeFileSync(file, `${[1, 2, 3].map(journalLine).join("\n")}\nnot json\n`);
    const l = spawnCli(t, ["inspect", "--journal", file, "--json"]);
    const ready = await l.line((x) => x.type === "ready", 15_000);
    assert.match(String(ready.inspector_url), /^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{32}$/);
    assert.equal(ready.deliveries, 3);
    assert.equal(ready.journal, file);
    const { port, cookie } = await logIn(String(ready.inspector_url));
    const list = JSON.parse((await ask(port, "/api/deliveries", { headers: { cookie } })).body) as {
      deliveries: { order_id: number }[];
    };
    assert.deepEqual(
      list.deliveries.map((d) => d.order_id),
      [1, 2, 3],
    );
    const layout = JSON.parse((await ask(port, "/api/page", { headers: { cookie } })).body) as unknown;
    assert.deepEqual(layout, { panes: ["deliveries"], title: "certwh inspect", deliveries_api: true });
    await l.stderrIncludes("1 line(s)", 5000);
    l.child.kill("SIGINT");
    assert.equal((await l.exit).code, 130, l.stderr());
  });

  test("without --journal: listen's default journal; the URL is printed on stderr", async (t) => {
    const state = tempDir("certwh-state-");
    mkdirSync(join(state, "certwh"));
    writeFileSync(join(state, "certwh", "journal.ndjson"), `${journalLine(9)}\n`);
    const l = spawnCli(t, ["inspect"], { env: { XDG_STATE_HOME: state } });
    await l.stderrIncludes("?token=", 15_000);
    assert.match(l.stderr(), /Inspector for .*journal\.ndjson: 1 deliveries\./);
    assert.equal(l.stdout(), "");
    l.child.kill("SIGINT");
    assert.equal((await l.exit).code, 130, l.stderr());
    assert.match(l.stderr(), /Inspector stopped: interrupted by SIGINT\./);
  });
});

describe("certwh inspect's replay", () => {
  test("--to and --secret-env: the page's replay goes there with the key, which the answer never holds", async (t) => {
    const received: { headers: IncomingHttpHeaders; body: string; url?: string }[] = [];
    const app = createServer((req, res) => {
      let body = "";
      req.setEncoding("utf8").on("data", (d: string) => {
        body += d;
      });
      req.on("end", () => {
        received.push({ headers: req.headers, body, url: req.url });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => app.listen(0, "127.0.0.1", resolve));
    t.after(() => app.close());
    const to = `http://127.0.0.1:${(app.address() as AddressInfo).port}/hook`;

    const file = join(tempDir("certwh-inspect-"), "journal.ndjson");
    writeFileSync(file, `${journalLine(1)}\n`);
    const l = spawnCli(t, ["inspect", "--journal", file, "--json", "--to", to, "--secret-env", "MY_SECRET"], {
      env: { MY_SECRET: "the-secret-value-0123456789abcdef0123456789" },
    });
    const ready = await l.line((x) => x.type === "ready", 15_000);
    const { port, cookie } = await logIn(String(ready.inspector_url));
    const list = JSON.parse((await ask(port, "/api/deliveries", { headers: { cookie } })).body) as {
      targets: string[];
      journal: string;
    };
    assert.deepEqual(list.targets, [to]);
    assert.equal(list.journal, file);
    const answer = await replayFirst(port, cookie);
    assert.equal(answer.status, 200, answer.body);
    assert.equal(
      (JSON.parse(answer.body) as { results: { ok: boolean }[] }).results[0]?.ok,
      true,
      answer.body,
    );
    assert.doesNotMatch(answer.body, /the-secret-value-0123456789abcdef0123456789/);
    assert.equal(received.length, 1);
    assert.equal(received[0]?.url, "/hook");
    assert.equal(received[0]?.headers["x-webhook-key"], "the-secret-value-0123456789abcdef0123456789");
    assert.ok(
      !l.stdout().includes("the-secret-value-0123456789abcdef0123456789") &&
        !l.stderr().includes("the-secret-value-0123456789abcdef0123456789"),
    );
    l.child.kill("SIGINT");
    assert.equal((await l.exit).code, 130, l.stderr());
  });

  test("a password in --to reaches the page masked (targets and replay results); the app still gets it", async (t) => {
    const auth: (string | undefined)[] = [];
    const app = createServer((req, res) => {
      auth.push(req.headers.authorization);
      req.resume().on("end", () => res.writeHead(200).end());
    });
    await new Promise<void>((resolve) => app.listen(0, "127.0.0.1", resolve));
    t.after(() => app.close());
    const to = `http://alice:pw4page@127.0.0.1:${(app.address() as AddressInfo).port}/hook`;
    const file = join(tempDir("certwh-inspect-"), "journal.ndjson");
    writeFileSync(file, `${journalLine(1)}\n`);
    const l = spawnCli(t, ["inspect", "--journal", file, "--json", "--to", to]);
    const ready = await l.line((x) => x.type === "ready", 15_000);
    const { port, cookie } = await logIn(String(ready.inspector_url));
    const list = (await ask(port, "/api/deliveries", { headers: { cookie } })).body;
    assert.doesNotMatch(list, /pw4page/);
    assert.match(list, /alice:\*\*\*\*@127\.0\.0\.1/);
    const answer = await replayFirst(port, cookie);
    assert.equal(answer.status, 200, answer.body);
    assert.doesNotMatch(answer.body, /pw4page/);
    assert.equal(
      auth[0],
      `Basic ${Buffer.from("alice:pw4page").toString("base64")}`,
      "the app gets the password",
    );
    l.child.kill("SIGINT");
    assert.equal((await l.exit).code, 130, l.stderr());
  });

  test("replay from the page without --to and without a URL typed: 400 naming inspect's --to", async (t) => {
    const file = join(tempDir("certwh-inspect-"), "journal.ndjson");
    writeFileSync(file, `${journalLine(1)}\n`);
    const l = spawnCli(t, ["inspect", "--journal", file, "--json"]);
    const ready = await l.line((x) => x.type === "ready", 15_000);
    const { port, cookie } = await logIn(String(ready.inspector_url));
    const answer = await replayFirst(port, cookie);
    assert.equal(answer.status, 400, answer.body);
    assert.match(
      answer.body,
      /type the URL to replay to \(neither listen's --forward-to nor inspect's --to was given\)/,
    );
    l.child.kill("SIGINT");
    assert.equal((await l.exit).code, 130, l.stderr());
  });

  test("--secret-file with --secret-env, or a --to that is not http(s): exit 2", async () => {
    const file = join(tempDir("certwh-inspect-"), "journal.ndjson");
    writeFileSync(file, `${journalLine(1)}\n`);
    const both = await runCli(["inspect", "--journal", file, "--secret-file", "f", "--secret-env", "E"]);
    assert.equal(both.code, 2, both.stderr);
    assert.match(both.stderr, /Use only one of --secret-file, --secret-env/);
    const ftp = await runCli(["inspect", "--journal", file, "--to", "ftp://127.0.0.1/x"]);
    assert.equal(ftp.code, 2, ftp.stderr);
    assert.match(ftp.stderr, /--to must be an http/);
  });
});
