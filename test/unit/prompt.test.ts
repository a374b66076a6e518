// Prompts when certwh is not interactive: refused at once with a usage error naming the flag to pass.
import assert from "node:assert/strict";
import { test } from "node:test";
import { NO_PROMPTS, UsageError } from "../../src/errors.js";
import { createPrompter } from "../../src/io/prompt.js";

test("a non-interactive prompter refuses every kind of question, naming the flag", async () => {
  const p = createPrompter(false);
  assert.equal(p.interactive, false);
  const asks: [string, () => Promise<unknown>][] = [
    ["--token", () => p.input("Token?", "--token")],
    ["--with-key", () => p.password("API key?", "--with-key")],
    ["--yes", () => p.confirm("Delete?", "--yes")],
  ];
  for (const [flag, ask] of asks) {
    await assert.rejects(ask(), (err: unknown) => {
      assert.ok(err instanceof UsageError, flag);
      assert.equal(err.message, `This needs input, and ${NO_PROMPTS}: pass ${flag}.`);
      return true;
    });
  }
});
