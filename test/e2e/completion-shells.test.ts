// The completion scripts, run in their shells: `config set <key> <TAB>` completes that key's values (not
// setting names), and an option's value completes to file names only when it is a path, to variable names
// for --secret-env, and to nothing for a number, a URL or a token. bash runs interactively on a terminal
// (util-linux `script`), so TAB completes with bash's own COMP_WORDS. zsh and fish are needed (.ci/run installs
// them when missing): a missing shell fails these tests, it never skips them.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { runCli, tempDir, watch } from "../helpers/cli.js";

async function scriptFile(shell: "bash" | "zsh" | "fish"): Promise<string> {
  const r = await runCli(["completion", shell]);
  assert.equal(r.code, 0, r.stderr);
  const file = join(tempDir(), `certwh.${shell}`);
  writeFileSync(file, r.stdout);
  return file;
}

function run(shell: string, args: string[], env: NodeJS.ProcessEnv = {}): string[] {
  try {
    return execFileSync(shell, args, {
      encoding: "utf8",
      env: { PATH: process.env.PATH, HOME: tempDir(), ...env },
    })
      .split("\n")
      .filter(Boolean);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT")
      assert.fail(`${shell} is not installed: these tests need it (.ci/run installs it)`);
    throw err;
  }
}

const PROMPT = "certwh-test> ";

/**
 * A shell run interactively on a terminal (util-linux `script`), as a user runs it: `keys` are typed once its
 * prompt shows (typed earlier, the terminal would still be in line mode and TAB would complete nothing).
 * Returns what the terminal showed, once the shell has exited.
 */
async function typeInto(shell: string, keys: string, env: NodeJS.ProcessEnv): Promise<string> {
  const session = watch("script", ["-qfec", shell, "/dev/null"], {
    env: { PATH: process.env.PATH, HOME: tempDir(), TERM: "dumb", INPUTRC: "/dev/null", ...env },
    killAfterMs: 20_000,
    keepStdin: true,
  });
  session.exit.catch(() => undefined);
  await session.until(() => session.stdout().includes(PROMPT), "the prompt");
  session.child.stdin.write(keys);
  await session.exit;
  return session.stdout();
}

/**
 * bash, interactive: returns what its completion recorded while `keys` were typed (COMPREPLY, and \`compopt\`
 * calls as "compopt …" lines), and "run: …" with the arguments of each certwh command run (a function here).
 * TAB there gives the completion bash's own COMP_LINE, COMP_POINT and COMP_WORDS (split at ":" and "=" too).
 */
async function bashSession() {
  const script = await scriptFile("bash");
  const dir = tempDir();
  const record = join(dir, "record");
  writeFileSync(
    join(dir, "bashrc"),
    `PS1='${PROMPT}'
source ${script}
_certwh_recorded() {
  compopt() { echo "compopt $*" >> ${record}; }
  _certwh
  unset -f compopt
  printf '%s\\n' "\${COMPREPLY[@]}" >> ${record}
}
complete -o default -F _certwh_recorded certwh
certwh() { echo "run: $*" >> ${record}; }
`,
  );
  return async (keys: string) => {
    writeFileSync(record, "");
    await typeInto(`bash --noprofile --rcfile ${join(dir, "bashrc")} -i`, `${keys}exit\n`, {
      CERTWH_TEST_SECRET: "x",
    });
    return readFileSync(record, "utf8").split("\n").filter(Boolean);
  };
}

/** bash: `words` typed, TAB, then Ctrl-U to clear the line whatever TAB inserted; what the completion offered. */
async function bashCompleter() {
  const type = await bashSession();
  return (words: string[]) => type(`${words.join(" ")}\t\x15`);
}

/** zsh: compadd, _files, _parameters … stubbed to print what they were asked to offer. */
async function zshCompleter() {
  const script = await scriptFile("zsh");
  const stubs = ["compadd", "compset", "_describe", "_files", "_parameters", "_sequence"]
    .map((f) => `${f}() { print -r -- "${f} $*"; }`)
    .join("; ");
  return (words: string[]) =>
    run("zsh", [
      "-f",
      "-c",
      `${stubs}; compdef() { :; }; source "$0"; words=("$@"); CURRENT=$#; _certwh`,
      script,
      "certwh",
      ...words.slice(1),
    ]);
}

/** fish: its own `complete -C` on the command line typed so far. */
async function fishCompleter() {
  const script = await scriptFile("fish");
  return (line: string) =>
    // CERTWH_TEST_LOCAL: a shell variable, not exported, so not one certwh can read.
    run(
      "fish",
      [
        "--no-config",
        "-c",
        `set -g CERTWH_TEST_LOCAL y; source $argv[1]; complete -C $argv[2]`,
        script,
        line,
      ],
      {
        CERTWH_TEST_SECRET: "x",
      },
    ).map((l) => l.split("\t")[0]);
}

const NUMBER_OR_URL_FLAGS = [
  ["create", "--frequency"],
  ["create", "--wait"],
  ["create", "--url"],
  ["logs", "--limit"],
  ["logs", "--offset"],
  ["listen", "--port"],
  ["listen", "--forward-to"],
  ["listen", "--timeout"],
  ["replay", "--to"],
  ["replay", "--id"],
  ["replay", "--since"],
  ["verify", "--token"],
  ["status", "--request-timeout"],
  ["status", "--base-url"],
];

test("bash: config set <key> completes the key's values; value flags complete files only for a path", async () => {
  const complete = await bashCompleter();
  assert.deepEqual(await complete(["certwh", "config", "set", "region", ""]), [
    "compopt +o default",
    "us",
    "eu",
  ]);
  assert.deepEqual(await complete(["certwh", "--profile", "eu", "config", "set", "region", "e"]), [
    "compopt +o default",
    "eu",
  ]);
  assert.deepEqual(await complete(["certwh", "config", "set", "base_url", ""]), ["compopt +o default"]);
  assert.deepEqual(await complete(["certwh", "config", "set", "region", "eu", ""]), ["compopt +o default"]);
  assert.ok((await complete(["certwh", "config", "set", ""])).includes("region"));
  for (const [command, flag] of NUMBER_OR_URL_FLAGS)
    assert.deepEqual(
      await complete(["certwh", command, flag, ""]),
      ["compopt +o default"],
      `${command} ${flag}`,
    );
  // A path: nothing from the script, so complete -o default offers file names.
  for (const [command, flag] of [
    ["create", "--secret-file"],
    ["create", "--secret-out"],
    ["listen", "--public-url-file"],
    ["replay", "--journal"],
    ["sandbox", "--state-file"],
  ])
    assert.deepEqual(await complete(["certwh", command, flag, ""]), [], `${command} ${flag}`);
  assert.deepEqual(await complete(["certwh", "listen", "--save-chain", ""]), [
    "compopt +o default -o dirnames",
  ]);
  assert.deepEqual(await complete(["certwh", "create", "--secret-env", "CERTWH_TEST_"]), [
    "compopt +o default",
    "CERTWH_TEST_SECRET",
  ]);
});

// bash splits COMP_WORDS at ":" and "=" too (COMP_WORDBREAKS): a URL earlier on the line, or --flag=value, is
// several words there, and must complete as with blanks.
test("bash: after a URL on the line, and in --flag=value, completion is as with blanks", async () => {
  const type = await bashSession();
  const offered = async (line: string) =>
    (await type(`${line}\t\x15`)).filter((l) => !l.startsWith("compopt"));
  assert.deepEqual(await offered("certwh --base-url http://127.0.0.1:8443/services/v2 sta"), ["status"]);
  assert.deepEqual(await offered("certwh trigger --to http://127.0.0.1:3000/x certificate_is"), [
    "certificate_issued",
  ]);
  assert.deepEqual(await offered("certwh --profile=prod sta"), ["status"]);
  assert.deepEqual(await offered("certwh --base-url=http://127.0.0.1:8443 sta"), ["status"]);
  assert.deepEqual(await offered("certwh --profile a:b config set region "), ["us", "eu"]);
  assert.deepEqual(await offered("certwh --region=e"), ["eu"]);
  assert.deepEqual(await offered("certwh --region="), ["us", "eu"]);
  assert.deepEqual(await offered("certwh listen --on-exit=r"), ["restore"]);
  assert.deepEqual(await offered("certwh create --events=certificate_issued,domain_v"), [
    "certificate_issued,domain_validated",
  ]);
  assert.deepEqual(await offered("certwh create --secret-env=CERTWH_TEST_"), ["CERTWH_TEST_SECRET"]);
  // Called by a wrapper that sets COMP_WORDS and COMP_CWORD only, without COMP_LINE: the words as given.
  const script = await scriptFile("bash");
  const wrapped = `source "$0"; COMP_WORDS=(certwh --profile x sta); COMP_CWORD=3; _certwh; echo "\${COMPREPLY[*]}"`;
  assert.deepEqual(run("bash", ["-c", wrapped, script]), ["status"]);
  // What TAB leaves on the line (then Enter runs it): the value after the "=", the command after the URL.
  const ran = async (line: string) => (await type(`${line}\t\n`)).filter((l) => l.startsWith("run: "));
  assert.deepEqual(await ran("certwh --region=e"), ["run: --region=eu"]);
  assert.deepEqual(await ran("certwh --base-url http://127.0.0.1:8443/x sta"), [
    "run: --base-url http://127.0.0.1:8443/x status",
  ]);
});

test("zsh: config set <key> completes the key's values; value flags complete files only for a path", async () => {
  const complete = await zshCompleter();
  assert.deepEqual(complete(["certwh", "config", "set", "region", ""]), ["compadd -- us eu"]);
  assert.deepEqual(complete(["certwh", "--profile", "eu", "config", "set", "region", ""]), [
    "compadd -- us eu",
  ]);
  assert.deepEqual(complete(["certwh", "config", "set", "base_url", ""]), []);
  assert.deepEqual(complete(["certwh", "config", "set", "region", "eu", ""]), []);
  assert.deepEqual(complete(["certwh", "config", "set", ""]), ["compadd -- region base_url request_timeout"]);
  for (const [command, flag] of NUMBER_OR_URL_FLAGS)
    assert.deepEqual(complete(["certwh", command, flag, ""]), [], `${command} ${flag}`);
  assert.deepEqual(complete(["certwh", "create", "--secret-file", ""]), ["_files "]);
  assert.deepEqual(complete(["certwh", "sandbox", "--state-file", ""]), ["_files "]);
  assert.deepEqual(complete(["certwh", "listen", "--save-chain", ""]), ["_files -/"]);
  assert.deepEqual(complete(["certwh", "create", "--secret-env", ""]), ["_parameters -g *export*"]);
});

test("fish: config set <key> completes the key's values; value flags complete files only for a path", async () => {
  const complete = await fishCompleter();
  assert.deepEqual(complete("certwh config set region ").sort(), ["eu", "us"]);
  assert.deepEqual(complete("certwh --profile eu config set region ").sort(), ["eu", "us"]);
  assert.deepEqual(complete("certwh config set base_url "), []);
  assert.deepEqual(complete("certwh config set region eu "), []);
  assert.deepEqual(complete("certwh config set ").sort(), ["base_url", "region", "request_timeout"]);
  assert.ok(!complete("certwh config set ").includes("unset"), "no sub-commands again after `set`");
  for (const [command, flag] of NUMBER_OR_URL_FLAGS)
    assert.deepEqual(complete(`certwh ${command} ${flag} `), [], `${command} ${flag}`);
  // Run from the repository: file names are there to be offered.
  assert.ok(complete("certwh create --secret-file ").includes("package.json"));
  assert.ok(complete("certwh sandbox --state-file ").includes("package.json"));
  const folders = complete("certwh listen --save-chain ");
  assert.ok(folders.includes("src/") && !folders.includes("package.json"), folders.join(" "));
  assert.deepEqual(complete("certwh create --secret-env CERTWH_TEST_"), ["CERTWH_TEST_SECRET"]);
});

// --flag=value (as bash and fish complete it): the value completes as after `--flag value`, from the same
// source; compset keeps "--flag=" on the line, and a flag taking no value offers nothing after its "=".
test("zsh: in --flag=value the value completes as after --flag value", async () => {
  const complete = await zshCompleter();
  const keepsFlag = "compset -P 1 *=";
  const cases: string[][] = [
    ["--region", ""],
    ["--profile", "x"],
    ["create", "--events", "certificate_issued,"],
    ["listen", "--events", ""],
    ["sandbox", "--quirks", ""],
    ["listen", "--on-exit", ""],
    ["create", "--event", ""],
    ["replay", "--event", ""],
    ["create", "--secret-env", "CERTWH_TEST_"],
    ["create", "--secret-file", ""],
    ["sandbox", "--state-file", ""],
    ["listen", "--save-chain", ""],
    ...NUMBER_OR_URL_FLAGS.map(([command, flag]) => [command, flag, ""]),
  ];
  for (const args of cases) {
    const flag = args.at(-2) as string;
    const value = args.at(-1) as string;
    const spaced = complete(["certwh", ...args]);
    const joined = complete(["certwh", ...args.slice(0, -2), `${flag}=${value}`]);
    assert.deepEqual(joined, [keepsFlag, ...spaced], args.join(" "));
  }
  assert.ok(complete(["certwh", "--region=e"]).includes("compadd -- us eu"));
  // After --flag=value, the command and its arguments are still found.
  assert.deepEqual(complete(["certwh", "--profile=eu", "config", "set", "region", ""]), ["compadd -- us eu"]);
  // A switch takes no value: nothing after its "=", never the commands.
  assert.deepEqual(complete(["certwh", "--json="]), [keepsFlag]);
});

// The same in a real zsh: what TAB leaves on the line after "--flag=", then Enter runs it.
test("zsh: --flag=<TAB> completes the value in a real zsh with compinit, keeping --flag=", async () => {
  const dir = tempDir();
  writeFileSync(join(dir, "certwh.zsh"), (await runCli(["completion", "zsh"])).stdout);
  writeFileSync(
    join(dir, ".zshrc"),
    `autoload -Uz compinit && compinit -u -D
source ${join(dir, "certwh.zsh")}
certwh() { print -r -- "run: $*"; }
PS1='${PROMPT}'
`,
  );
  const table: [string, string][] = [
    ["certwh --region=e", "--region=eu"],
    ["certwh listen --on-exit=res", "listen --on-exit=restore"],
    ["certwh create --secret-env=CERTWH_TEST_", "create --secret-env=CERTWH_TEST_SECRET"],
    [
      "certwh create --events=certificate_issued,domain_v",
      "create --events=certificate_issued,domain_validated",
    ],
  ];
  for (const [typed, ran] of table) {
    const screen = await typeInto("zsh -i", `${typed}\t\nexit\n`, {
      ZDOTDIR: dir,
      CERTWH_TEST_SECRET: "x",
    });
    assert.ok(screen.includes(`run: ${ran}\r\n`) || screen.includes(`run: ${ran}\n`), `${typed}: ${screen}`);
  }
});

// certwh reads its environment: --secret-env offers the exported variables, not the shell's own.
test("zsh: --secret-env offers exported variables only, in a real zsh with compinit", async () => {
  const dir = tempDir();
  writeFileSync(join(dir, "certwh.zsh"), (await runCli(["completion", "zsh"])).stdout);
  writeFileSync(
    join(dir, ".zshrc"),
    `autoload -Uz compinit && compinit -u -D
source ${join(dir, "certwh.zsh")}
certwh() { print -r -- "run: $*"; }
CERTWH_TEST_LOCAL=y
PS1='${PROMPT}'
`,
  );
  // TAB, then Enter runs what it completed to: the one exported name, or only the common prefix.
  const screen = await typeInto("zsh -i", "certwh create --secret-env CERTWH_TEST_\t\nexit\n", {
    ZDOTDIR: dir,
    CERTWH_TEST_SECRET: "x",
  });
  assert.match(screen, /run: create --secret-env CERTWH_TEST_SECRET\r?\n/, screen);
});

// A command taking one argument (`trigger <event>`, `completion <shell>`, `help <command>`, `config get <key>`):
// once it is given, only flags are offered, never the arguments again.
const ONE_ARGUMENT: [string[], string][] = [
  [["trigger", "certificate_issued"], "certificate_issued"],
  [["completion", "bash"], "zsh"],
  [["help", "status"], "status"],
  [["config", "get", "region"], "base_url"],
  [["config", "unset", "region"], "base_url"],
];

test("bash: a command's one argument is not offered again once given", async () => {
  const complete = await bashCompleter();
  assert.ok((await complete(["certwh", "trigger", ""])).includes("certificate_issued"));
  assert.ok((await complete(["certwh", "config", "get", ""])).includes("region"));
  for (const [args, again] of ONE_ARGUMENT) {
    const offered = await complete(["certwh", ...args, ""]);
    assert.ok(!offered.includes(again), `${args.join(" ")}: ${offered.join(" ")}`);
    assert.ok(offered.includes("--help"), `${args.join(" ")}: flags are still offered`);
  }
  assert.ok((await complete(["certwh", "trigger", "certificate_issued", ""])).includes("--to"));
});

test("zsh: a command's one argument is not offered again once given", async () => {
  const complete = await zshCompleter();
  assert.ok(complete(["certwh", "trigger", ""]).join(" ").includes("certificate_issued"));
  assert.ok(complete(["certwh", "config", "get", ""]).join(" ").includes("region"));
  for (const [args, again] of ONE_ARGUMENT) {
    const offered = complete(["certwh", ...args, ""])
      .join(" ")
      .split(/[\s']+/);
    assert.ok(!offered.includes(again), `${args.join(" ")}: ${offered.join(" ")}`);
  }
  assert.ok(complete(["certwh", "trigger", "certificate_issued", ""]).join(" ").includes("--to"));
});

test("fish: a command's one argument is not offered again once given", async () => {
  const complete = await fishCompleter();
  assert.ok(complete("certwh trigger ").includes("certificate_issued"));
  for (const [args, again] of ONE_ARGUMENT)
    assert.ok(!complete(`certwh ${args.join(" ")} `).includes(again), args.join(" "));
  assert.ok(complete("certwh trigger certificate_issued --").includes("--to"));
});

test("the command is completed after a global option and its value, in every shell", async () => {
  const fish = await fishCompleter();
  for (const line of ["certwh --profile x ", "certwh --region eu ", "certwh --json "]) {
    const offered = fish(line);
    assert.ok(
      offered.includes("status") && offered.includes("trigger"),
      `fish ${line}: ${offered.join(" ")}`,
    );
    assert.ok(!offered.includes("--profile"), `fish ${line}: the commands, not the flags`);
  }
  const bash = await bashCompleter();
  const zsh = await zshCompleter();
  for (const args of [["--profile", "x"], ["--region", "eu"], ["--json"]]) {
    assert.ok((await bash(["certwh", ...args, ""])).includes("status"), `bash ${args.join(" ")}`);
    assert.ok(
      zsh(["certwh", ...args, ""])
        .join("\n")
        .startsWith("_describe command"),
      `zsh ${args.join(" ")}`,
    );
  }
});

test("zsh: installed as _certwh on $fpath, the first TAB (the autoload) completes", async () => {
  const r = await runCli(["completion", "zsh"]);
  assert.equal(r.code, 0, r.stderr);
  const dir = tempDir();
  writeFileSync(join(dir, "_certwh"), r.stdout);
  const stubs = ["compadd", "_describe", "_files", "_parameters", "_sequence", "compdef"]
    .map((f) => `${f}() { print -r -- "${f} $*"; }`)
    .join("; ");
  // As compinit leaves it: _certwh autoloaded from the file, not yet loaded; then two TABs.
  const out = run("zsh", [
    "-f",
    "-c",
    `${stubs}; fpath=("$1" $fpath); autoload -Uz _certwh; words=(certwh completion ''); CURRENT=3; _certwh; print -- --; _certwh`,
    "zsh",
    dir,
  ]);
  assert.equal(out.length, 3, out.join("\n"));
  assert.match(out[0], /^compadd -- bash zsh fish /, "the first TAB completes");
  assert.equal(out[0], out[2], "the first TAB completes as the second does");
  // compinit reads the #compdef line: certwh is completed by _certwh.
  const registered = run("zsh", [
    "-f",
    "-c",
    `fpath=("$1" $fpath); autoload -Uz compinit; compinit -u -D; print -r -- $_comps[certwh]`,
    "zsh",
    dir,
  ]);
  assert.deepEqual(registered, ["_certwh"]);
  // Sourced (source <(certwh completion zsh)): it registers itself with compdef and completes nothing yet.
  const sourced = run("zsh", ["-f", "-c", `${stubs}; source "$1"`, "zsh", join(dir, "_certwh")]);
  assert.deepEqual(sourced, ["compdef _certwh certwh"]);
});

// --event subscribes in create, update-url and listen: only what a webhook can subscribe to, as --events.
// In replay and logs it filters what arrived: every event CertCentral sends, test and challenge included.
const SUBSCRIBING = ["create", "update-url", "listen"];
const FILTERING = ["replay", "logs"];
const NOT_SUBSCRIBABLE = ["order_approval_email_sent", "test_webhook_endpoint", "challenge_webhook_endpoint"];

function checkEventChoices(shell: string, command: string, offered: string[]): void {
  const label = `${shell} ${command} --event: ${offered.join(" ")}`;
  assert.ok(offered.includes("certificate_issued"), label);
  for (const name of NOT_SUBSCRIBABLE)
    assert.equal(offered.includes(name), FILTERING.includes(command), `${label} (${name})`);
}

test("--event offers only subscribable events where it subscribes, every event where it filters, in every shell", async () => {
  const bash = await bashCompleter();
  const zsh = await zshCompleter();
  const fish = await fishCompleter();
  for (const command of [...SUBSCRIBING, ...FILTERING]) {
    checkEventChoices("bash", command, await bash(["certwh", command, "--event", ""]));
    // After a global option and its value too: the command still decides.
    checkEventChoices("bash", command, await bash(["certwh", "--profile", "x", command, "--event", ""]));
    checkEventChoices("zsh", command, zsh(["certwh", command, "--event", ""]).join(" ").split(/\s+/));
    checkEventChoices("fish", command, fish(`certwh ${command} --event `));
  }
});

test("fish: a comma list completes its next item, as bash does (--events a,<TAB>, sandbox --quirks x,<TAB>)", async () => {
  const fish = await fishCompleter();
  const bash = await bashCompleter();
  const events = fish("certwh create --events certificate_issued,");
  assert.ok(events.includes("certificate_issued,certificate_revoked"), events.join(" "));
  assert.ok(!events.includes("certificate_issued,test_webhook_endpoint"), events.join(" "));
  assert.deepEqual(fish("certwh listen --events certificate_issued,domain_v"), [
    "certificate_issued,domain_validated",
  ]);
  const quirks = fish("certwh sandbox --quirks numeric-token,");
  const fromBash = (await bash(["certwh", "sandbox", "--quirks", "numeric-token,"])).filter(
    (l) => !l.startsWith("compopt"),
  );
  assert.ok(quirks.length > 1 && quirks.every((q) => q.startsWith("numeric-token,")), quirks.join(" "));
  assert.deepEqual(quirks.sort(), fromBash.sort(), "the same items as bash");
});

test("a comma list offers only the names not given yet, in bash and fish (zsh's _sequence drops them itself)", async () => {
  const bash = await bashCompleter();
  const fish = await fishCompleter();
  const given = "certificate_issued,domain_validated,";
  const fromBash = (await bash(["certwh", "create", "--events", given])).filter(
    (l) => !l.startsWith("compopt"),
  );
  const fromFish = fish(`certwh create --events ${given}`);
  for (const [shell, offered] of [
    ["bash", fromBash],
    ["fish", fromFish],
  ] as const) {
    const label = `${shell}: ${offered.join(" ")}`;
    assert.ok(offered.includes(`${given}certificate_revoked`), label);
    assert.ok(!offered.includes(`${given}certificate_issued`), label);
    assert.ok(!offered.includes(`${given}domain_validated`), label);
  }
  assert.deepEqual(fromFish.sort(), fromBash.sort(), "the same items in both");
  // A name only typed in part is still completed, and one already given is not offered again.
  const partly = fish("certwh listen --events domain_validated,domain_v");
  assert.ok(!partly.includes("domain_validated,domain_validated"), partly.join(" "));
  assert.deepEqual(
    (await bash(["certwh", "listen", "--events", "certificate_issued,certificate_i"])).filter(
      (l) => !l.startsWith("compopt"),
    ),
    [],
  );
});
