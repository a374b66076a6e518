// A global flag's value is checked as the command line is read, as a flag parser does: a bad
// --request-timeout is refused (exit 2, the same sentence) by every command, also those that make no API
// call (event-types, completion, config path). Only the flag typed is checked there: a stale
// CERTWH_REQUEST_TIMEOUT breaks no command that does not use it.
import assert from "node:assert/strict";
import { test } from "node:test";
import { buildProgram } from "../../src/cli/program.js";
import { UsageError } from "../../src/errors.js";
import { runCli } from "../helpers/cli.js";
import { parseArgv } from "./argv-support.js";

const notSeconds = (typed: string) =>
  `--request-timeout must be a number of seconds from 1 to 3600, not ${JSON.stringify(typed)}.`;
const EMPTY = "--request-timeout is empty: give a value, or leave --request-timeout out.";

/** Every command (a sub-command of config too) as its words, help aside. */
function everyCommand(): string[][] {
  const program = buildProgram({ signal: new AbortController().signal, env: {} });
  return program.commands
    .filter((c) => c.name() !== "help")
    .flatMap((c) => [[c.name()], ...c.commands.map((s) => [c.name(), s.name()])]);
}

/** argv is refused with a UsageError saying `message`, before any command runs. */
function refused(argv: string[], message: string): void {
  assert.throws(
    () => parseArgv(argv),
    (e) => {
      assert.ok(e instanceof UsageError, `${argv.join(" ")}: ${e}`);
      assert.equal(e.message, message, argv.join(" "));
      return true;
    },
    argv.join(" "),
  );
}

test("a bad --request-timeout is refused by every command, wherever it is typed, with one sentence", () => {
  const commands = everyCommand();
  assert.ok(commands.some((c) => c.join(" ") === "event-types"));
  assert.ok(commands.some((c) => c.join(" ") === "config path"));
  for (const words of commands) {
    for (const typed of ["abc", "0", "3601", "-5", "1e3"]) {
      refused([...words, `--request-timeout=${typed}`], notSeconds(typed));
      refused(["--request-timeout", typed, ...words], notSeconds(typed));
    }
    refused([...words, "--request-timeout", "abc"], notSeconds("abc"));
    refused([...words, "--request-timeout", ""], EMPTY);
    refused([...words, "--request-timeout= "], EMPTY);
  }
});

test("a good --request-timeout reaches the command as typed", () => {
  for (const typed of ["1", "7.5", "3600"]) {
    assert.equal(parseArgv(["event-types", "--request-timeout", typed]).globals.requestTimeout, typed);
    assert.equal(parseArgv(["--request-timeout", typed, "completion", "bash"]).globals.requestTimeout, typed);
  }
});

test("through the CLI: exit 2 and the same sentence from commands with and without an API call", async () => {
  const said = new Set<string>();
  for (const words of [["event-types"], ["completion", "bash"], ["config", "path"], ["status"]]) {
    const r = await runCli([...words, "--request-timeout", "abc"]);
    const label = `${words.join(" ")}: ${r.stderr}`;
    assert.equal(r.code, 2, label);
    assert.equal(r.stdout, "", `${label}: nothing printed (no completion script, no path)`);
    assert.ok(r.stderr.includes(notSeconds("abc")), label);
    assert.ok(r.stderr.includes(`See \`certwh help ${words[0]}\`.`), label);
    said.add(r.stderr.split("\n")[0] as string);
  }
  assert.equal(said.size, 1, [...said].join("\n"));
  const empty = await runCli(["event-types", "--request-timeout", ""]);
  assert.equal(empty.code, 2, empty.stderr);
  assert.ok(empty.stderr.includes(EMPTY), empty.stderr);
  // With --json: the usage error as the one document on stdout.
  const json = await runCli(["completion", "bash", "--json", "--request-timeout", "0"]);
  assert.equal(json.code, 2, json.stderr);
  const { error } = JSON.parse(json.stdout) as {
    error: { code: string; exit_code: number; message: string };
  };
  assert.deepEqual(error, { exit_code: 2, code: "usage", message: notSeconds("0") });
});

test("a stale CERTWH_REQUEST_TIMEOUT breaks no command that makes no API call; only the flag is checked there", async () => {
  const env = { CERTWH_REQUEST_TIMEOUT: "abc" };
  for (const argv of [
    ["--help"],
    ["event-types"],
    ["completion", "bash"],
    ["event-types", "--request-timeout", "5"],
  ]) {
    const r = await runCli(argv, { env });
    assert.equal(r.code, 0, `${argv.join(" ")}: ${r.stderr}`);
  }
});
