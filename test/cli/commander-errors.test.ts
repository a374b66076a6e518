// commander's parse errors (conflicting switches, an unknown or repeated flag, a bad choice, a missing required
// flag or argument) are reported as every other usage error: `✗ <sentence>`, then where the flags are explained,
// exit 2; under --json the same sentence in the error document. Never commander's own `error: …` line.
import assert from "node:assert/strict";
import { test } from "node:test";
import { commanderUsageError } from "../../src/cli/main.js";
import { CommanderError } from "../../src/commands/specs/commander.js";
import { ExitCode } from "../../src/errors.js";
import { describeFailure } from "../../src/io/exit-codes.js";
import { runCli } from "../helpers/cli.js";
import { parseArgv } from "./argv-support.js";

const URL_ = "https://hooks.example.com/certcentral";

/** argv, the command whose help the error points to, and the sentence shown. */
const CASES: [string[], string, string][] = [
  [
    ["update-url", "--url", URL_, "--chain", "--no-chain"],
    "update-url",
    "--chain and --no-chain cannot be used together.",
  ],
  [["status", "--bogus"], "status", "Unknown option '--bogus'."],
  [
    ["create", "--url", URL_, "--url", "https://other.example.com/x"],
    "create",
    "--url was given more than once; it takes one value.",
  ],
  [
    ["--region", "xx", "status"],
    "status",
    "Option '--region <region>' argument 'xx' is invalid. Allowed choices are us, eu.",
  ],
  [["verify"], "verify", "Required option '--token <token>' not specified."],
  [["completion"], "completion", "Missing required argument 'shell'."],
  // commander's suggestion is kept, on the same line.
  [["status", "--jsn"], "status", "Unknown option '--jsn' (did you mean --json?)"],
  [["stauts"], "", "Unknown command 'stauts' (did you mean status?)"],
];

/** The CommanderError argv makes the real program throw. */
function commanderError(argv: string[]): CommanderError {
  try {
    parseArgv(argv);
  } catch (e) {
    assert.ok(e instanceof CommanderError, `${argv.join(" ")}: ${e}`);
    return e;
  }
  assert.fail(`${argv.join(" ")}: no error`);
}

const pointer = (command: string) => (command ? `See \`certwh help ${command}\`.` : "See `certwh help`.");

test("commander's error → certwh's usage error: its sentence, capitalised, no `error: ` prefix, exit 2", () => {
  for (const [argv, , sentence] of CASES) {
    const failure = describeFailure(commanderUsageError(commanderError(argv)));
    assert.deepEqual(
      failure,
      { exitCode: ExitCode.usage, code: "usage", message: sentence, hint: undefined },
      argv.join(" "),
    );
  }
});

test("the built CLI: `✗ <sentence>`, then where the flags are explained, on stderr; exit 2", async () => {
  for (const [argv, command, sentence] of CASES) {
    const r = await runCli(argv);
    assert.equal(r.code, 2, `${argv.join(" ")}: ${r.stderr}`);
    assert.equal(r.stdout, "");
    assert.equal(r.stderr, `✗ ${sentence}\n${pointer(command)}\n`, argv.join(" "));
  }
});

test("the built CLI with --json: the same sentence in one error document, and on stderr", async () => {
  for (const [argv, command, sentence] of CASES) {
    const r = await runCli([...argv, "--json"]);
    assert.equal(r.code, 2, `${argv.join(" ")}: ${r.stderr}`);
    assert.deepEqual(JSON.parse(r.stdout), { error: { exit_code: 2, code: "usage", message: sentence } });
    assert.equal(r.stderr, `✗ ${sentence}\n${pointer(command)}\n`, argv.join(" "));
  }
});

test("a hint of certwh's own follows the sentence: a switch given a value", async () => {
  const r = await runCli(["login", "--with-key=abc"]);
  assert.equal(r.code, 2);
  assert.equal(
    r.stderr,
    "✗ Unknown option '--with-key=…'.\n  --with-key is a switch: give it without a value.\nSee `certwh help login`.\n",
  );
});

test("--help and --version are not errors: stdout, exit 0, nothing on stderr", async () => {
  for (const argv of [["--help"], ["status", "--help"], ["--version"]]) {
    const r = await runCli(argv);
    assert.equal(r.code, 0, argv.join(" "));
    assert.ok(r.stdout.length > 0, argv.join(" "));
    assert.equal(r.stderr, "", argv.join(" "));
  }
});
