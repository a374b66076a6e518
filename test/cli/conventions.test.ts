// The command-line conventions, through the built CLI: help layout, repeated flags, colour, event-name
// suggestions and completion, listen's --json failures, the journal's place, hints that work as printed,
// and where a parse error points.
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { buildProgram } from "../../src/cli/program.js";
import type { AnyCommand } from "../../src/commands/specs/commander.js";
import { journalEntry, openJournal } from "../../src/listen/journal.js";
import { cliArgv, cliEnv, runCli, spawnCli, tempDir, watch } from "../helpers/cli.js";
import { startLoopback } from "../helpers/loopback.js";

/** Every command line that shows one command's help: `status`, `config set`, … */
function helpTargets(): string[][] {
  const program = buildProgram({ signal: new AbortController().signal });
  const walk = (cmd: AnyCommand, path: string[]): string[][] =>
    cmd.commands.flatMap((c) => [[...path, c.name()], ...walk(c, [...path, c.name()])]);
  return walk(program as unknown as AnyCommand, []);
}

// ---- help ----

test("the command list is grouped: lifecycle, local development, configuration, help and shell", async () => {
  const r = await runCli(["--help"]);
  assert.equal(r.code, 0);
  const headings = r.stdout.split("\n").filter((l) => /^[A-Z][\w ]+:$/.test(l));
  assert.deepEqual(headings, [
    "Options:",
    "Webhook lifecycle:",
    "Local development:",
    "Configuration:",
    "Help and shell:",
    "Examples:",
  ]);
  const section = (name: string) => r.stdout.split(`${name}:\n`)[1]?.split("\n\n")[0] ?? "";
  assert.match(section("Webhook lifecycle"), /^ {2}status\|show/m);
  assert.match(section("Webhook lifecycle"), /^ {2}logs/m);
  assert.match(
    section("Local development"),
    /^ {2}listen[\s\S]*^ {2}replay[\s\S]*^ {2}sandbox[\s\S]*^ {2}trigger/m,
  );
  assert.match(section("Configuration"), /^ {2}login[\s\S]*^ {2}config/m);
  assert.match(section("Help and shell"), /^ {2}completion[\s\S]*^ {2}help/m);
});

test("every command's help shows the global flags under Global Options", async () => {
  for (const target of [["status"], ["listen"], ["trigger"], ["config", "set"]]) {
    const r = await runCli([...target, "--help"]);
    assert.equal(r.code, 0, target.join(" "));
    const global = r.stdout.split("Global Options:\n")[1];
    assert.ok(global, `${target.join(" ")}: no Global Options section\n${r.stdout}`);
    for (const flag of [
      "--json",
      "--no-color",
      "--verbose",
      "--no-input",
      "--yes",
      "--profile <name>",
      "--base-url",
    ])
      assert.ok(global.includes(flag), `${target.join(" ")}: ${flag} missing from Global Options`);
    assert.doesNotMatch(global, /--version/, "--version belongs to certwh, not to a command");
  }
  const viaHelp = await runCli(["help", "replay"]);
  assert.match(viaHelp.stdout, /Global Options:\n {2}--json/);
});

test('no command\'s help says "(default: false)"', async () => {
  const targets = [[], ...helpTargets()];
  assert.ok(targets.length >= 20, `only ${targets.length} commands found`);
  for (const target of targets) {
    const r = await runCli([...target, "--help"]);
    assert.equal(r.code, 0, `${target.join(" ")}: ${r.stderr}`);
    assert.ok(r.stdout.includes("Usage: certwh"), target.join(" "));
    assert.doesNotMatch(r.stdout, /default: false/, `certwh ${target.join(" ")} --help`);
  }
  // Defaults that say something stay.
  assert.match((await runCli(["listen", "--help"])).stdout, /\(choices: .*default: "deactivate"\)/s);
});

// ---- repeated flags ----

test("a single-value flag given twice is refused (exit 2) with a sentence; list flags collect", async () => {
  const trigger = await runCli([
    "trigger",
    "certificate_issued",
    "--to",
    "http://127.0.0.1:9/a",
    "--to=http://127.0.0.1:9/b",
  ]);
  assert.equal(trigger.code, 2);
  assert.match(trigger.stderr, /--to was given more than once; it takes one value\./);

  const global = await runCli(["--profile", "a", "status", "--profile", "b"]);
  assert.equal(global.code, 2);
  assert.match(global.stderr, /--profile was given more than once/);

  const contradicting = await runCli(["listen", "--journal", "/tmp/x.ndjson", "--no-journal"]);
  assert.equal(contradicting.code, 2);
  assert.match(contradicting.stderr, /--journal and --no-journal cannot be used together/);

  // A switch and its opposite, either order; the same switch twice is harmless.
  for (const pair of [
    ["--chain", "--no-chain"],
    ["--no-instant", "--instant"],
  ]) {
    const both = await runCli(["update-url", "--url", "https://hooks.example.com/x", ...pair]);
    assert.equal(both.code, 2, both.stderr);
    assert.match(both.stderr, new RegExp(`${pair[0]} and ${pair[1]} cannot be used together`));
  }
  const twice = await runCli(["update-url", "--url", "https://hooks.example.com/x", "--chain", "--chain"]);
  assert.doesNotMatch(twice.stderr, /cannot be used together/);

  // --event collects; the run then stops at the missing journal, not at the repetition.
  const home = tempDir();
  const list = await runCli(
    [
      "replay",
      "--to",
      "http://127.0.0.1:9/a",
      "--event",
      "certificate_issued",
      "--event",
      "certificate_revoked",
    ],
    { configHome: home },
  );
  assert.equal(list.code, 5, "no journal, as for inspect");
  assert.doesNotMatch(list.stderr, /more than once/);
  assert.match(list.stderr, /No journal at/);

  // --forward-to is exempt (it becomes a list flag): stopped here by the bad --until, not the repetition.
  const forward = await runCli([
    "listen",
    "--forward-to",
    "http://127.0.0.1:9/a",
    "--forward-to",
    "http://127.0.0.1:9/b",
    "--until",
    "nosuch",
  ]);
  assert.equal(forward.code, 2);
  assert.doesNotMatch(forward.stderr, /more than once/);
  assert.match(forward.stderr, /--until nosuch is not a CertCentral event/);
});

// ---- colour ----

const RED = "\x1b[31m";
const hasScript = spawnSync("script", ["--version"]).status === 0;

/** A failing command's stderr (it starts with a red ✗ when coloured), on a pipe or on a terminal. */
async function failureText(
  env: Record<string, string | undefined>,
  extra: string[],
  tty: boolean,
): Promise<string> {
  const args = [...extra, "trigger", "nosuch", "--to", "http://127.0.0.1:9/x"];
  const base = { NO_COLOR: undefined, TERM: "xterm-256color", ...env };
  if (!tty) {
    const r = await runCli(args, { env: base });
    assert.equal(r.code, 2, r.stderr);
    return r.stderr;
  }
  // util-linux `script` gives the CLI a pseudo-terminal; what it prints arrives on script's stdout.
  const run = watch("script", ["-qefc", cliArgv(args).join(" "), "/dev/null"], {
    env: cliEnv(base),
    killAfterMs: 20_000,
  });
  const { code } = await run.exit;
  assert.equal(code, 2, run.stdout());
  return run.stdout();
}

test("colour: --no-color, then FORCE_COLOR, then NO_COLOR, then TERM=dumb, then whether stderr is a terminal", async () => {
  const rows: [string, Record<string, string | undefined>, string[], boolean, boolean][] = [
    ["a pipe", {}, [], false, false],
    ["FORCE_COLOR=1 on a pipe", { FORCE_COLOR: "1" }, [], false, true],
    ["FORCE_COLOR= (empty) on a pipe", { FORCE_COLOR: "" }, [], false, true],
    ["FORCE_COLOR=0", { FORCE_COLOR: "0" }, [], false, false],
    ["FORCE_COLOR=false", { FORCE_COLOR: "false" }, [], false, false],
    ["--no-color beats FORCE_COLOR", { FORCE_COLOR: "1" }, ["--no-color"], false, false],
    ["FORCE_COLOR beats NO_COLOR", { FORCE_COLOR: "1", NO_COLOR: "1" }, [], false, true],
    ["FORCE_COLOR beats TERM=dumb", { FORCE_COLOR: "1", TERM: "dumb" }, [], false, true],
    ["NO_COLOR on a pipe", { NO_COLOR: "1" }, [], false, false],
  ];
  assert.ok(hasScript, "util-linux `script` is needed for the terminal rows");
  rows.push(
    ["a terminal", {}, [], true, true],
    ["NO_COLOR on a terminal", { NO_COLOR: "1" }, [], true, false],
    ["an empty NO_COLOR on a terminal", { NO_COLOR: "" }, [], true, true],
    ["TERM=dumb on a terminal", { TERM: "dumb" }, [], true, false],
    ["--no-color on a terminal", {}, ["--no-color"], true, false],
    ["FORCE_COLOR=0 on a terminal", { FORCE_COLOR: "0" }, [], true, false],
  );
  for (const [label, env, extra, tty, coloured] of rows) {
    const text = await failureText(env, extra, tty);
    assert.match(text, /Unknown event "nosuch"/, label);
    assert.equal(text.includes(RED), coloured, `${label}: ${JSON.stringify(text.slice(0, 80))}`);
  }
});

test("colour: a command's own output follows the same rule (FORCE_COLOR on a pipe)", async () => {
  const home = tempDir();
  const forced = await runCli(["config", "set", "region", "eu"], {
    env: { NO_COLOR: undefined, FORCE_COLOR: "1" },
    configHome: home,
  });
  assert.equal(forced.code, 0, forced.stderr);
  assert.ok(forced.stderr.includes("\x1b[32m✓"), JSON.stringify(forced.stderr));
  const dumb = await runCli(["config", "set", "region", "us"], {
    env: { NO_COLOR: undefined, TERM: "dumb" },
    configHome: home,
  });
  assert.ok(!dumb.stderr.includes("\x1b["), JSON.stringify(dumb.stderr));
});

// ---- event names: suggestions and completion ----

test("every flag that takes an event name suggests the name meant for a shortened one", async () => {
  const trigger = await runCli(["trigger", "cert_issued", "--to", "http://127.0.0.1:9/x"]);
  assert.equal(trigger.code, 2);
  assert.match(trigger.stderr, /Did you mean certificate_issued\?/);

  const until = await runCli(["listen", "--sandbox", "--until", "cert_issued"]);
  assert.equal(until.code, 2);
  assert.match(until.stderr, /Did you mean certificate_issued\?/);

  const replay = await runCli(["replay", "--to", "http://127.0.0.1:9/x", "--event", "org_validated"]);
  assert.equal(replay.code, 2);
  assert.match(replay.stderr, /Did you mean organization_validated\?/);

  // logs sends an unknown name anyway (CertCentral's list is not complete): a warning, then the key is missing.
  const logs = await runCli(["logs", "--event", "cert_revoked"]);
  assert.equal(logs.code, 4, logs.stderr);
  assert.match(logs.stderr, /Did you mean certificate_revoked\?/);

  for (const command of [["create", "--url", "https://hooks.example.com/certcentral"], ["listen"]]) {
    const events = await runCli([
      ...command,
      "--events",
      "cert_issued,domain_validated",
      "--event",
      "org_expired",
    ]);
    assert.equal(events.code, 4, events.stderr);
    assert.match(events.stderr, /Did you mean: .*org_expired → organization_expired/);
    assert.match(events.stderr, /Did you mean: .*cert_issued → certificate_issued/);
  }
});

test("completion scripts offer event names for --event, --events and --until, not file names", async () => {
  const bashScript = (await runCli(["completion", "bash"])).stdout;
  const script = join(tempDir(), "certwh.bash");
  writeFileSync(script, bashScript);
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
  assert.deepEqual(complete(["certwh", "listen", "--until", "cert"]), [
    "certificate_issued",
    "certificate_revoked",
  ]);
  assert.deepEqual(complete(["certwh", "logs", "--event", "order_r"]), ["order_rejected"]);
  assert.ok(complete(["certwh", "replay", "--event", ""]).includes("challenge_webhook_endpoint"));
  assert.ok(complete(["certwh", "create", "--events", ""]).includes("domain_expired"));
  assert.ok(complete(["certwh", "trigger", "cert"]).includes("certificate_issued"));
  assert.match(bashScript, /--until\) compopt \+o default/, "no file-name fallback for event names");

  const zsh = (await runCli(["completion", "zsh"])).stdout;
  assert.match(zsh, /--until\) compadd -- certificate_issued /, "zsh --until");
  // --event: the list depends on the command (subscribable where it subscribes).
  assert.match(zsh, /--event\) case "\$cmd" in [^\n]*compadd -- certificate_issued /, "zsh --event");
  // A comma-separated list: each name after a comma is completed too.
  assert.match(zsh, /--events\) _sequence compadd - certificate_issued /, "zsh --events");
  const fish = (await runCli(["completion", "fish"])).stdout;
  for (const [command, flag] of [
    ["listen", "until"],
    ["logs", "event"],
    ["replay", "event"],
    ["create", "events"],
  ])
    assert.match(
      fish,
      new RegExp(`__fish_seen_subcommand_from ${command}' -l '${flag}' -x -a '[^']*certificate_issued`),
      `fish ${command} --${flag}`,
    );
});

// ---- listen --json failures ----

test('listen --json failures are always one {"type":"error", …} line on stdout', async () => {
  const cases: [string[], Record<string, string>, number][] = [
    [["--bogus"], {}, 2], // commander's own parse error
    [["--port", "1", "--port", "2"], {}, 2], // a repeated flag
    [["--until", "nosuch"], {}, 2], // listen's own flag check
    [["--secret-env", "CERTWH_TEST_UNSET_SECRET"], {}, 2], // the secret, read after the flags
    [["--public-url", "https://hooks.example.com", "--port", "8080"], {}, 4], // no API key
  ];
  for (const [args, env, code] of cases) {
    const r = await runCli(["listen", "--json", ...args], { env });
    assert.equal(r.code, code, `${args.join(" ")}: ${r.stderr}`);
    const lines = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const errors = lines.filter((l) => l.type === "error");
    assert.equal(errors.length, 1, `${args.join(" ")}: ${r.stdout}`);
    assert.equal(errors[0]?.exit_code, code);
    assert.equal(typeof errors[0]?.message, "string");
    assert.ok(
      lines.every((l) => typeof l.type === "string" && !("error" in l)),
      `${args.join(" ")}: ${r.stdout}`,
    );
  }
  // Other commands keep their one error document.
  const status = await runCli(["status", "--json", "--bogus"]);
  assert.equal(JSON.parse(status.stdout).error.exit_code, 2);
});

// ---- the journal's place ----

async function writeJournal(path: string): Promise<void> {
  const journal = await openJournal(path);
  const body = '{"event":"certificate_issued","data":{"order_id":1,"certificate_id":11}}';
  await journal.append(
    journalEntry({ body, event: "certificate_issued", headers: {}, receivedAt: Date.UTC(2026, 0, 31) }),
  );
  await journal.close();
}

test("the journal lives under $XDG_STATE_HOME/certwh; one at the former default is moved there once", async (t) => {
  const received: string[] = [];
  const app = await startLoopback((req, res) => {
    received.push(req.text);
    res.writeHead(204).end();
  });
  t.after(() => app.close());
  const home = tempDir();
  const former = join(home, "certwh", "journal.ndjson");
  await writeJournal(former);
  const moved = join(home, ".local", "state", "certwh", "journal.ndjson");

  const first = await runCli(["replay", "--to", `${app.origin}/hook`], { configHome: home });
  assert.equal(first.code, 0, first.stderr);
  assert.ok(first.stderr.includes(`Moved the journal from ${former} to ${moved}`), first.stderr);
  assert.equal(received.length, 1);
  assert.ok(existsSync(moved) && !existsSync(former));

  const second = await runCli(["replay", "--to", `${app.origin}/hook`], { configHome: home });
  assert.equal(second.code, 0, second.stderr);
  assert.doesNotMatch(second.stderr, /Moved the journal/, "said once");
  assert.equal(received.length, 2);

  const state = tempDir();
  const elsewhere = await runCli(["replay", "--to", `${app.origin}/hook`], {
    env: { XDG_STATE_HOME: state },
  });
  assert.equal(elsewhere.code, 5);
  assert.ok(
    elsewhere.stderr.includes(`No journal at ${join(state, "certwh", "journal.ndjson")}.`),
    elsewhere.stderr,
  );
});

test("replay without a journal names the sandbox journal when only that one exists", async () => {
  const home = tempDir();
  const sandboxJournal = join(home, ".local", "state", "certwh", "sandbox-journal.ndjson");
  mkdirSync(join(home, ".local", "state", "certwh"), { recursive: true });
  await writeJournal(sandboxJournal);
  const r = await runCli(["replay", "--to", "http://127.0.0.1:9/x"], { configHome: home });
  assert.equal(r.code, 5);
  assert.ok(r.stderr.includes(`in ${sandboxJournal}: pass it with --journal`), r.stderr);
});

// ---- hints ----

test("after listen --sandbox the hints work as printed: no command against the gone sandbox, replay with --journal", async (t) => {
  const received: string[] = [];
  const app = await startLoopback((req, res) => {
    received.push(req.text);
    res.writeHead(204).end();
  });
  t.after(() => app.close());
  const home = tempDir();
  const appUrl = `${app.origin}/app`;
  const l = spawnCli(t, ["listen", "--sandbox", "--forward-to", appUrl], { configHome: home });
  // The sandbox lines end the ready block.
  const ready = await l.stderrIncludes("certwh trigger certificate_issued", 20_000).then(() => l.stderr());
  const sandbox = /Sandbox\s+(\S+)\s+\(API key (\S+)\)/.exec(ready);
  assert.ok(sandbox, ready);
  const sent = await runCli(["trigger", "certificate_issued", "--sandbox-url", sandbox[1] as string], {
    env: { CERTWH_API_KEY: sandbox[2] },
  });
  assert.equal(sent.code, 0, sent.stderr);
  await l.until(() => received.length >= 1, "the forward of the triggered event");
  await l.stderrIncludes("Ctrl-C to stop", 20_000);
  l.child.kill("SIGINT");
  assert.equal((await l.exit).code, 130, l.stderr());
  const journal = join(home, ".local", "state", "certwh", "sandbox-journal.ndjson");
  const stderr = l.stderr();
  assert.ok(stderr.includes("Run `certwh listen --sandbox` again"), stderr);
  const printed = /`(certwh replay [^`]+)`/.exec(stderr)?.[1];
  // --since this session's first event: an earlier session's events are not delivered again.
  assert.match(
    printed ?? "",
    new RegExp(`^certwh replay --journal ${journal} --to ${appUrl} --since \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z$`),
    stderr,
  );
  assert.doesNotMatch(stderr, /certwh activate|certwh logs|certwh status|certwh deactivate/);

  // The printed command, run as printed, delivers the event again.
  const replay = await runCli((printed ?? "").split(" ").slice(1), { configHome: home });
  assert.equal(replay.code, 0, replay.stderr);
  assert.equal(received.length, 2);
  assert.equal(received[1], received[0]);
});

test("--timeout is echoed as written, and its hint names no command against the gone sandbox", async () => {
  const r = await runCli(["listen", "--sandbox", "--until", "certificate_issued", "--timeout", "1s"], {
    timeoutMs: 30_000,
  });
  assert.equal(r.code, 6, r.stderr);
  assert.match(r.stderr, /No certificate_issued event arrived within --timeout 1s \(counted from ready\)\./);
  assert.doesNotMatch(r.stderr, /\d ms\)|certwh logs|certwh activate/);
});

test("--until with --order-id: the timeout names the order that was awaited", async () => {
  const r = await runCli(
    ["listen", "--sandbox", "--until", "certificate_issued", "--order-id", "777", "--timeout", "1s"],
    { timeoutMs: 30_000 },
  );
  assert.equal(r.code, 6, r.stderr);
  assert.match(r.stderr, /No certificate_issued event for order 777 arrived within --timeout 1s/);
});

// ---- parse errors ----

test("parse errors end with a pointer to the command's help", async () => {
  const cases: [string[], string][] = [
    [["status", "--bogus"], "See `certwh help status`."],
    [["show", "--bogus"], "See `certwh help status`."],
    [["trigger"], "See `certwh help trigger`."],
    [["config", "set", "region"], "See `certwh help config`."],
    [["listen", "--on-exit", "nope"], "See `certwh help listen`."],
    [["frobnicate"], "See `certwh help`."],
  ];
  for (const [args, pointer] of cases) {
    const r = await runCli(args);
    assert.equal(r.code, 2, args.join(" "));
    assert.ok(r.stderr.trimEnd().endsWith(pointer), `${args.join(" ")}: ${r.stderr}`);
  }
});
