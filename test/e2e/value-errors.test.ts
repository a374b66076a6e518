// Value errors as users see them through the built CLI: each names its flag and what was typed, and its
// hint fits the flag (a URL without its scheme, a duration, a value lost to the next flag, an API key's length).
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { runCli, tempDir } from "../helpers/cli.js";

test("a URL without its scheme: what was typed, and the URL with a scheme (https:// where only https goes)", async () => {
  const table: [string[], string][] = [
    [["trigger", "certificate_issued", "--to", "localhost:3000"], "--to http://localhost:3000"],
    [["listen", "--forward-to", "localhost:3000"], "--forward-to http://localhost:3000"],
    [["inspect", "--to", "localhost:3000"], "--to http://localhost:3000"],
    [["test", "--url", "localhost:3000"], "--url https://localhost:3000"],
  ];
  for (const [argv, meant] of table) {
    const r = await runCli(argv);
    assert.equal(r.code, 2, `${argv.join(" ")}: ${r.stderr}`);
    assert.ok(r.stderr.includes(`not "localhost:3000".`), r.stderr);
    assert.ok(r.stderr.includes(`Did you mean ${meant}?`), r.stderr);
    assert.doesNotMatch(r.stderr, /localhost:\/\//, "never a scheme nobody typed");
  }
});

test("--base-url, CERTWH_BASE_URL and --public-url without a scheme: named as typed, with the URL meant, never null", async () => {
  const table: [string[], Record<string, string>, string, string][] = [
    [["status", "--base-url", "localhost:3000"], {}, "localhost:3000", "--base-url http://localhost:3000"],
    [["status"], { CERTWH_BASE_URL: "localhost:3000" }, "localhost:3000", "http://localhost:3000"],
    [
      ["status", "--base-url", "hooks.example.com:443/path"],
      {},
      "hooks.example.com:443/path",
      "--base-url https://hooks.example.com:443/path",
    ],
    [
      ["listen", "--public-url", "localhost:3000"],
      {},
      "localhost:3000",
      "--public-url http://localhost:3000",
    ],
  ];
  for (const [argv, env, typed, meant] of table) {
    const r = await runCli(argv, { env });
    assert.equal(r.code, 2, `${argv.join(" ")}: ${r.stderr}`);
    assert.ok(r.stderr.includes(`not "${typed}".`), r.stderr);
    assert.ok(r.stderr.includes(`Did you mean ${meant}?`), r.stderr);
    assert.doesNotMatch(r.stderr, /null|localhost:\/\//, "never an origin nobody typed");
  }
});

test('a scheme without its "://" is refused before anything is sent, with the URL meant', async () => {
  const table: [string[], string, string][] = [
    [["trigger", "certificate_issued", "--to", "http:/x"], "http:/x", "--to http://x"],
    [["listen", "--forward-to", "http:/x"], "http:/x", "--forward-to http://x"],
    [["create", "--url", "http:/x"], "http:/x", "--url https://x"],
    [["create", "--url", "https//x.example/y"], "https//x.example/y", "--url https://x.example/y"],
    [["trigger", "certificate_issued", "--to", "::1"], "::1", "--to http://[::1]"],
  ];
  for (const [argv, typed, meant] of table) {
    const r = await runCli(argv, { env: { CERTWH_API_KEY: "test-key-not-used-1234" } });
    assert.equal(r.code, 2, `${argv.join(" ")}: ${r.stderr}`);
    assert.ok(r.stderr.includes(`not ${JSON.stringify(typed)}.`), r.stderr);
    assert.ok(r.stderr.includes(`Did you mean ${meant}?`), r.stderr);
  }
});

test("a bad duration names its flag, as every other value error does", async () => {
  const table: [string[], string][] = [
    [["create", "--url", "https://hooks.example.com/x", "--wait", "abc"], "--wait"],
    [["listen", "--tunnel-grace", "abc"], "--tunnel-grace"],
    [["listen", "--challenge-timeout", "abc"], "--challenge-timeout"],
    [["listen", "--until", "certificate_issued", "--timeout", "abc"], "--timeout"],
  ];
  for (const [argv, flag] of table) {
    const r = await runCli(argv);
    assert.equal(r.code, 2, `${argv.join(" ")}: ${r.stderr}`);
    assert.ok(
      r.stderr.includes(`${flag}: invalid duration "abc": use a number with ms, s, m or h`),
      `${argv.join(" ")}: ${r.stderr}`,
    );
  }
});

test("a zero duration gets one text, with or without a unit, for every duration flag", async () => {
  const table: [string[], string, string][] = [
    [["trigger", "certificate_issued", "--to", "http://127.0.0.1:9/x", "--timeout", "0"], "--timeout", "0"],
    [["trigger", "certificate_issued", "--to", "http://127.0.0.1:9/x", "--timeout", "0s"], "--timeout", "0s"],
    [["listen", "--until", "certificate_issued", "--timeout", "0s"], "--timeout", "0s"],
    [["listen", "--tunnel-grace", "0ms"], "--tunnel-grace", "0ms"],
    [["create", "--url", "https://hooks.example.com/x", "--wait", "0"], "--wait", "0"],
  ];
  for (const [argv, flag, value] of table) {
    const r = await runCli(argv);
    assert.equal(r.code, 2, `${argv.join(" ")}: ${r.stderr}`);
    assert.ok(
      r.stderr.includes(`${flag} must be more than zero, not "${value}": use a number`),
      `${argv.join(" ")}: ${r.stderr}`,
    );
  }
});

test("sandbox --api-key of the wrong length: the message states the range it accepts (8 to 512)", async () => {
  for (const [value, n] of [
    ["short", 5],
    ["a".repeat(513), 513],
  ] as const) {
    const r = await runCli(["sandbox", "--api-key", value]);
    assert.equal(r.code, 2, r.stderr);
    assert.ok(r.stderr.includes(`--api-key has ${n} characters; an API key has 8 to 512.`), r.stderr);
    assert.ok(!r.stderr.includes(value), "the key is never shown");
  }
});

test("trigger --timeout: a duration as listen --timeout takes it; help and README say so with the same default", async () => {
  const help = (await runCli(["trigger", "--help"])).stdout.replace(/\s+/g, " ");
  assert.match(help, /--timeout <duration> how long the endpoint has to answer, e\.g\. 5s or 2m/);
  assert.ok(help.includes("(default: 10s)"), help);
  assert.ok(!help.includes('"10'), "a default shown as it is typed, not a quoted string");
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8").replace(/\s+/g, " ");
  assert.ok(readme.includes("`--timeout` (default `10s`) is how long the endpoint has to answer"), "README");
  // listen --timeout takes the same form.
  assert.match((await runCli(["listen", "--help"])).stdout, /--timeout <duration>/);
  const bad = await runCli([
    "trigger",
    "certificate_issued",
    "--to",
    "http://127.0.0.1:9/x",
    "--timeout",
    "5x",
  ]);
  assert.equal(bad.code, 2, bad.stderr);
  assert.ok(bad.stderr.includes('--timeout: invalid duration "5x"'), bad.stderr);
});

test("a short secret for trigger or replay: the source inside the sentence, and a hint that fits them", async () => {
  const home = tempDir();
  const file = join(home, "ts.secret");
  writeFileSync(file, "short\n");
  const to = "http://127.0.0.1:9/x";
  for (const argv of [
    ["trigger", "certificate_issued", "--to", to, "--secret-file", file],
    ["replay", "--to", to, "--secret-file", file],
  ]) {
    const r = await runCli(argv, { configHome: home });
    assert.equal(r.code, 2, r.stderr);
    assert.ok(r.stderr.includes(`at least 32 characters (read from the file ${file}).`), r.stderr);
    assert.ok(!r.stderr.includes("create --generate-secret"), r.stderr);
    assert.ok(r.stderr.includes("certwh status --show-secret"), r.stderr);
  }
});

test("a short secret for listen: the hint names listen's own --generate-secret, not create's", async () => {
  const home = tempDir();
  const file = join(home, "ls.secret");
  writeFileSync(file, "short\n");
  const r = await runCli(["listen", "--sandbox", "--secret-file", file], { configHome: home });
  assert.equal(r.code, 2, r.stderr);
  assert.ok(r.stderr.includes("`certwh listen --generate-secret`"), r.stderr);
  assert.ok(!r.stderr.includes("create --generate-secret"), r.stderr);
});
