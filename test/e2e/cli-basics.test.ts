import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { runCli, tempDir } from "../helpers/cli.js";

test("--version prints the package version on stdout and exits 0", async () => {
  const { createRequire } = await import("node:module");
  const pkg = createRequire(import.meta.url)("../../package.json");
  const r = await runCli(["--version"]);
  assert.equal(r.code, 0);
  assert.equal(r.stdout.trim(), pkg.version);
});

test("--help lists the commands and an example", async () => {
  const r = await runCli(["--help"]);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /event-types/);
  assert.match(r.stdout, /Examples:/);
});

test("an unknown flag is a usage error (exit 2) with the message on stderr", async () => {
  const r = await runCli(["event-types", "--nope"]);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, "");
  assert.match(r.stderr, /^✗ Unknown option '--nope'\.\n/);
});

test("an unknown command is a usage error (exit 2)", async () => {
  const r = await runCli(["frobnicate"]);
  assert.equal(r.code, 2);
});

test("event-types works offline and --json is one JSON document", async () => {
  const r = await runCli(["event-types", "--json"]);
  assert.equal(r.code, 0);
  const list = JSON.parse(r.stdout);
  assert.ok(list.some((e: { name: string }) => e.name === "certificate_issued"));
  assert.ok(list.every((e: { subscribable: boolean }) => e.subscribable));
  const human = await runCli(["event-types", "--all"]);
  assert.match(human.stdout, /challenge_webhook_endpoint/);
  assert.match(human.stdout, /domain_validated .*not documented/);
});

for (const shell of ["bash", "zsh", "fish"]) {
  test(`completion ${shell} prints a script naming the commands`, async () => {
    const r = await runCli(["completion", shell]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /event-types/);
    assert.match(r.stdout, shell === "fish" ? /-l 'json'/ : /--json/);
  });
}

test("completion --json is a usage error: a shell script is not one JSON document", async () => {
  for (const args of [
    ["completion", "bash", "--json"],
    ["--json", "completion", "zsh"],
  ]) {
    const r = await runCli(args);
    assert.equal(r.code, 2, args.join(" "));
    assert.match(r.stderr, /completion prints a shell script, not JSON/);
    const document = JSON.parse(r.stdout) as { error: { code: string; exit_code: number } };
    assert.equal(document.error.code, "usage");
    assert.equal(document.error.exit_code, 2);
  }
});

test("completion for an unknown shell is a usage error", async () => {
  const r = await runCli(["completion", "tcsh"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /bash, zsh or fish/);
});

test("bash completion skips option values, offers sub-commands, choices and file names", async () => {
  const { execFileSync } = await import("node:child_process");
  const { writeFileSync } = await import("node:fs");
  const { join } = await import("node:path");
  const { tempDir } = await import("../helpers/cli.js");
  const script = join(tempDir(), "certwh.bash");
  writeFileSync(script, (await runCli(["completion", "bash"])).stdout);
  const complete = (words: string[]) =>
    execFileSync(
      "bash",
      [
        "-c",
        `source "$0"; COMP_WORDS=("$@"); COMP_CWORD=$((\${#COMP_WORDS[@]}-1)); _certwh; printf '%s\\n' "\${COMPREPLY[@]}"`,
        script,
        ...words,
      ],
      { encoding: "utf8" },
    )
      .split("\n")
      .filter(Boolean);
  assert.deepEqual(complete(["certwh", "--profile", "eu-prod", "create", "--u"]), ["--url"]);
  assert.ok(complete(["certwh", "sh"]).includes("show"));
  assert.deepEqual(complete(["certwh", "--region", ""]), ["us", "eu"]);
  assert.ok(complete(["certwh", "config", ""]).includes("unset"));
  assert.deepEqual(complete(["certwh", "create", "--secret-file", ""]), []); // files, via -o default
  assert.deepEqual(complete(["certwh", "listen", "--on-exit", ""]).sort(), ["deactivate", "keep", "restore"]);
  // A sub-command's arguments, names after a comma, each flag once, and what can be subscribed to.
  assert.deepEqual(complete(["certwh", "config", "set", "re"]), ["region", "request_timeout"]);
  assert.deepEqual(complete(["certwh", "sandbox", "--quirks", "numeric-token,ol"]), [
    "numeric-token,older-tokens",
  ]);
  assert.deepEqual(complete(["certwh", "create", "--events", "certificate_issued,certificate_rev"]), [
    "certificate_issued,certificate_revoked",
  ]);
  assert.equal(complete(["certwh", "status", "--"]).filter((w) => w === "--help").length, 1);
  assert.ok(!complete(["certwh", "create", "--events", ""]).includes("test_webhook_endpoint"));
  assert.ok(complete(["certwh", "help", "up"]).includes("update-url"));
});

test("`help <unknown>` is a usage error; `help <command>` shows that command", async () => {
  const bad = await runCli(["help", "nosuch"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /Unknown command "nosuch"/);
  const typo = await runCli(["help", "updat-url"]);
  assert.equal(typo.code, 2);
  assert.match(typo.stderr, /Did you mean update-url\?/);
  const good = await runCli(["help", "status"]);
  assert.equal(good.code, 0);
  assert.match(good.stdout, /--show-secret/);
  // A sub-command's own help, as `certwh config set --help` shows it.
  const sub = await runCli(["help", "config", "set"]);
  assert.equal(sub.code, 0);
  assert.match(sub.stdout, /^Usage: certwh config set \[options\] <key> <value>/);
});

test("an unknown --flag=value never prints the value (a key typed as --api-key=…), and says what to do", async () => {
  const key = "MYSECRETKEYvalue1234567890abcdef";
  for (const args of [
    ["status", `--api-key=${key}`],
    ["--json", "status", `--api-key=${key}`],
  ]) {
    const r = await runCli(args);
    assert.equal(r.code, 2);
    assert.equal(`${r.stdout}${r.stderr}`.includes(key), false, "the value is not shown");
    assert.match(r.stderr, /Unknown option '--api-key=…'/);
    assert.match(r.stderr, /no API key on the command line .* CERTWH_API_KEY, or run `certwh login`/);
  }
  const json = await runCli(["--json", "status", `--api-key=${key}`]);
  assert.match(JSON.parse(json.stdout).error.message, /Unknown option '--api-key=…'/);
  // A value the command refuses ends like commander's own parse errors: where the flags are explained.
  const refused = await runCli(["logs", "--limit", "0"]);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /--limit must be .*\nSee `certwh help logs`\.\n$/);
  const valued = await runCli(["login", "--with-key=abc"]);
  assert.equal(valued.code, 2);
  assert.match(valued.stderr, /--with-key is a switch: give it without a value/);
});

test("--json usage errors still print one error object on stdout", async () => {
  const r = await runCli(["--json", "verify"]);
  assert.equal(r.code, 2);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.error.exit_code, 2);
  assert.match(doc.error.message, /--token/);
});

test("--json naming no command is a usage error (exit 2) with a document; without --json, help and exit 0", async () => {
  for (const [args, words] of [
    [["--json"], "`certwh --json` needs one"],
    [["--profile", "x", "--json"], "`certwh --json` needs one"],
    [["config", "--json"], "`certwh config` needs one of path, list, get, set, unset"],
  ] as const) {
    const r = await runCli([...args]);
    assert.equal(r.code, 2, args.join(" "));
    const doc = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(doc), ["error"]);
    assert.equal(doc.error.code, "usage");
    assert.ok(doc.error.message.startsWith(`No command given: ${words}`), doc.error.message);
    assert.match(r.stderr, /Usage: certwh/);
  }
  for (const args of [[], ["config"]]) {
    const plain = await runCli(args);
    assert.equal(plain.code, 0, args.join(" "));
    assert.equal(plain.stdout, "");
    assert.match(plain.stderr, /Usage: certwh/);
  }
});

test("commander's errors are one line, the suggestion joined, on stderr as under --json", async () => {
  const command = await runCli(["stauts", "--json"]);
  assert.equal(command.code, 2);
  assert.equal(JSON.parse(command.stdout).error.message, "Unknown command 'stauts' (did you mean status?)");
  assert.match(command.stderr, /^✗ Unknown command 'stauts' \(did you mean status\?\)\n/);
  const option = await runCli(["status", "--jsn", "--json"]);
  assert.equal(option.code, 2);
  assert.equal(JSON.parse(option.stdout).error.message, "Unknown option '--jsn' (did you mean --json?)");
});

test("a URL with a password and a typo is refused (exit 2) without showing the password, as text or JSON", async () => {
  const journal = join(tempDir(), "j.ndjson");
  writeFileSync(journal, "");
  const bad = "http://bob:sekrit-pw@127.0.0.1:1x/x";
  const runs = [
    ["replay", "--journal", journal, "--to", bad],
    ["inspect", "--journal", journal, "--to", bad],
    ["trigger", "certificate_issued", "--to", bad],
    ["listen", "--sandbox", "--forward-to", bad],
    ["status", "--base-url", bad],
  ];
  for (const args of runs) {
    for (const json of [[], ["--json"]]) {
      const r = await runCli([...args, ...json]);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.ok(
        !`${r.stdout}${r.stderr}`.includes("sekrit-pw"),
        `${args[0]} shows the password: ${r.stderr}`,
      );
      assert.match(r.stderr, /bob:\*\*\*\*@127\.0\.0\.1:1x/, args[0]);
    }
  }
});
