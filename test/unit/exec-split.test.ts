import assert from "node:assert/strict";
import { test } from "node:test";
import { UsageError } from "../../src/errors.js";
import { splitCommand } from "../../src/listen/exec.js";

test("splitCommand: quotes and escapes, nothing expanded", () => {
  const table: Array<[string, string[]]> = [
    ["./deploy.sh", ["./deploy.sh"]],
    ["  node  handler.js   --flag ", ["node", "handler.js", "--flag"]],
    ["echo 'a b' \"c d\"", ["echo", "a b", "c d"]],
    ["echo 'it''s'", ["echo", "its"]],
    [`echo "say \\"hi\\" \\\\ \\$HOME \\n"`, ["echo", 'say "hi" \\ $HOME \\n']],
    ["echo a\\ b", ["echo", "a b"]],
    ["echo $HOME $(id) `id` ~ *", ["echo", "$HOME", "$(id)", "`id`", "~", "*"]],
    ["echo ''", ["echo", ""]],
    ["sh -c 'jq .data >> events.log'", ["sh", "-c", "jq .data >> events.log"]],
    ["echo '|' \\;", ["echo", "|", ";"]],
  ];
  for (const [input, expected] of table) assert.deepEqual(splitCommand(input), expected, input);
});

test("splitCommand: refuses what only a shell would understand, and broken quoting", () => {
  const bad = [
    "",
    "   ",
    "echo 'open",
    'echo "open',
    "echo \\",
    "cat | jq .",
    "a && b",
    "run > out.log",
    "a ; b",
  ];
  for (const input of bad) assert.throws(() => splitCommand(input), UsageError, input);
});
