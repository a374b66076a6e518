// A value flag directly followed by one of certwh's own long flags has lost its value (`--token $T --json`
// with T empty): refused before anything runs, whichever flag (global or the command's) follows. Values that
// merely start with "-" still belong to their flag (tokens, `--frequency -7`, `--sort -field`).
import assert from "node:assert/strict";
import { test } from "node:test";
import { UsageError } from "../../src/errors.js";
import { parseArgv } from "./argv-support.js";

const URL_ = "https://hooks.example.com/certcentral";

/** argv, and the flag whose value is missing. */
const MISSING: [string[], string][] = [
  [["verify", "--token", "--json"], "--token"],
  [["verify", "--token", "--no-activate"], "--token"],
  [["verify", "--token", "--help"], "--token"],
  [["verify", "--token", "--verbose", "--json"], "--token"],
  [["logs", "--event", "--json"], "--event"],
  [["logs", "--limit", "--all"], "--limit"],
  [["logs", "--event", "--base-url=http://127.0.0.1:8443"], "--event"],
  [["create", "--url", "--generate-secret"], "--url"],
  [["create", "--url", URL_, "--secret-env", "--json"], "--secret-env"],
  [["--profile", "--json", "status"], "--profile"],
  [["status", "--request-timeout", "--json"], "--request-timeout"],
  [["trigger", "certificate_issued", "--to", "--with-chain"], "--to"],
  // Short flags and the end of the options are certwh's too: never a value.
  [["verify", "--token", "-y"], "--token"],
  [["verify", "--token", "-h"], "--token"],
  [["logs", "--sort", "-h"], "--sort"],
  [["verify", "--token", "--", "--json"], "--token"],
];

for (const [argv, flag] of MISSING) {
  test(`${argv.join(" ")}: ${flag} needs a value (usage error)`, () => {
    assert.throws(
      () => parseArgv(argv),
      (e) => e instanceof UsageError && e.message.startsWith(`${flag} needs a value`),
    );
  });
}

test("the lost-value hint fits what follows: a long flag, a short one, or --", () => {
  const table: [string[], string, string][] = [
    [
      ["verify", "--token", "--json"],
      "--token needs a value; --json is one of certwh's flags.",
      "--token=--json",
    ],
    [["verify", "--token", "-y"], "--token needs a value; -y is one of certwh's flags.", "--token=-y"],
    [["logs", "--sort", "-h"], "--sort needs a value; -h is one of certwh's flags.", "--sort=-h"],
    [["verify", "--token", "--", "--json"], "--token needs a value; -- ends the options.", "--token=--"],
  ];
  for (const [argv, message, joined] of table)
    assert.throws(
      () => parseArgv(argv),
      (e) =>
        e instanceof UsageError &&
        e.message === message &&
        e.hint === `A value that starts with "-" is joined to its flag with "=": ${joined}.`,
      argv.join(" "),
    );
});

/** argv, the flag's value as the command receives it, and whether --json is on. */
const KEPT: [string[], Record<string, unknown>, boolean][] = [
  [["verify", "--token=--json"], { token: "--json" }, false],
  [["verify", "--token", "-Vx_9", "--json"], { token: "-Vx_9" }, true],
  [["verify", "--token", "--not-a-certwh-flag"], { token: "--not-a-certwh-flag" }, false],
  [["create", "--url", URL_, "--secret-env", "-x", "--json"], { secretEnv: "-x" }, true],
  [["create", "--url", URL_, "--frequency", "-7", "--json"], { frequency: "-7" }, true],
  [["logs", "--sort", "-request_sent_time", "--json"], { sort: "-request_sent_time" }, true],
  [["logs", "--event=--json"], { event: "--json" }, false],
];

for (const [argv, expected, json] of KEPT) {
  test(`${argv.join(" ")}: the value belongs to its flag; --json ${json ? "on" : "off"}`, () => {
    const call = parseArgv(argv);
    const flags = call.flags as Record<string, unknown>;
    for (const [key, value] of Object.entries(expected)) assert.equal(flags[key], value, key);
    assert.equal(call.globals.json, json);
  });
}
