// The README quotes replay's words for an event cut short by Ctrl-C exactly as replay prints them.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { INTERRUPTED_WORDS } from "../../src/commands/replay/replay-entries.js";

test("the README's replay row quotes each interruption wording replay prints, and no other", () => {
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  const row = readme.split("\n").find((line) => line.startsWith("| `replay` |")) ?? "";
  const sentence = /Ctrl-C names the event cut short(.*?) and prints the command that resumes/.exec(row)?.[1];
  assert.ok(sentence, "the replay row's Ctrl-C sentence");
  const quoted = [...sentence.matchAll(/"([^"]+)"/g)].map((m) => m[1]);
  assert.deepEqual(quoted.sort(), Object.values(INTERRUPTED_WORDS).sort());
});
