// `listen --help` names every NDJSON type listen --json prints: the same list as the README's "--json types".
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { runCli } from "../helpers/cli.js";

/** The top-level types of the README's "`--json` types:" paragraph (what is in parentheses describes them). */
function readmeTypes(): string[] {
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  const start = readme.indexOf("`--json` types: ");
  const end = readme.indexOf("so stdout stays pure NDJSON.", start);
  assert.ok(start >= 0 && end > start, "the README's --json types paragraph");
  let text = readme.slice(start + "`--json` types: ".length, end);
  // Innermost parentheses first; nesting is shallow, so a few passes empty them all.
  for (let pass = 0; pass < 10 && /\([^()]*\)/.test(text); pass++) text = text.replace(/\([^()]*\)/g, "");
  return [...text.matchAll(/`([a-z_]+)`/g)].map((m) => m[1] as string);
}

test("listen --help lists every NDJSON type the README documents, and no other", async () => {
  const r = await runCli(["listen", "--help"]);
  assert.equal(r.code, 0, r.stderr);
  const help = r.stdout.replace(/\s+/g, " ");
  const listed = /one object per line with a "type": ([a-z_, ]+)\./.exec(help)?.[1]?.split(", ");
  assert.ok(listed, help);
  const documented = readmeTypes();
  assert.ok(documented.includes("exec_summary") && documented.length > 10, documented.join(" "));
  assert.deepEqual([...listed].sort(), [...documented].sort());
});
