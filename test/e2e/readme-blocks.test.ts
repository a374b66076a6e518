// The README's marked shell blocks run as written: each `<!-- test: NAME [background] [ready="re"]
// [expect="re"] -->` before a ```sh block marks it. The blocks of one NAME run in order, as a person would
// in separate shells, in a fresh HOME (XDG folders under it) from the repository's root: a background block
// runs until its `ready` text appears and is stopped with Ctrl-C (SIGINT) after the last block, and must then
// show its `expect` text; any other block must exit 0 and show its `expect` text. `certwh` and `npx certwh`
// run the built CLI (node bin/certwh.js); `npm ci` and `npm run build` are the set-up this suite runs after,
// so they do nothing here; any other npm or npx command fails the block.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { BIN, type Running, tempDir, watch } from "../helpers/cli.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const README = readFileSync(new URL("README.md", `file://${ROOT}`), "utf8");

interface Block {
  name: string;
  background: boolean;
  ready?: RegExp;
  expect?: RegExp;
  script: string;
  line: number;
}

const MARK = /<!-- test: ([a-z0-9-]+)((?: [a-z]+(?:="[^"]*")?)*) -->\n```sh\n([\s\S]*?)```/g;

function parseBlocks(text: string): Block[] {
  const blocks: Block[] = [];
  for (const m of text.matchAll(MARK)) {
    const attrs = new Map<string, string>();
    for (const a of (m[2] ?? "").matchAll(/ ([a-z]+)(?:="([^"]*)")?/g)) attrs.set(a[1]!, a[2] ?? "");
    for (const key of attrs.keys())
      assert.ok(["background", "ready", "expect"].includes(key), `unknown attribute ${key}`);
    const regex = (key: string) => (attrs.has(key) ? new RegExp(attrs.get(key) as string) : undefined);
    blocks.push({
      name: m[1]!,
      background: attrs.has("background"),
      ready: regex("ready"),
      expect: regex("expect"),
      script: m[3]!,
      line: text.slice(0, m.index).split("\n").length,
    });
  }
  return blocks;
}

/** Shell functions standing in for the set-up: `exec` in a background block so Ctrl-C reaches the CLI. */
function prelude(background: boolean): string {
  const run = `${background ? "exec " : ""}node "$CERTWH_BIN" "$@"`;
  return [
    "set -euo pipefail",
    `certwh() { ${run}; }`,
    `npx() { if [ "$1" = certwh ]; then shift; ${run}; else echo "README test: npx $1 is not allowed" >&2; return 127; fi; }`,
    `npm() { case "$*" in "ci"|"run build") return 0;; *) echo "README test: npm $* is not allowed" >&2; return 127;; esac; }`,
    "",
  ].join("\n");
}

function environment(home: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: home,
    XDG_CONFIG_HOME: `${home}/.config`,
    XDG_STATE_HOME: `${home}/.local/state`,
    NO_COLOR: "1",
    CI: "1",
    CERTWH_BIN: BIN,
  };
}

const blocks = parseBlocks(README);
const names = [...new Set(blocks.map((b) => b.name))];

test("the README marks the Try-it-now, sandbox walkthrough and CI sandbox blocks", () => {
  assert.deepEqual(names, ["sandbox", "walkthrough", "ci-sandbox"]);
  for (const b of blocks) {
    if (b.background) assert.ok(b.ready, `README line ${b.line}: a background block needs ready="…"`);
    // The CI recipes run an installed certwh; the others run from a clone, where only npx finds it.
    if (b.name === "ci-sandbox") continue;
    assert.doesNotMatch(
      b.script,
      /^\s*certwh /m,
      `README line ${b.line}: use npx certwh (no certwh on PATH)`,
    );
  }
});

for (const name of names) {
  test(`README blocks "${name}" run as written`, async (t) => {
    const env = environment(tempDir("certwh-readme-"));
    const running: { block: Block; run: Running }[] = [];
    for (const block of blocks.filter((b) => b.name === name)) {
      const where = `README line ${block.line}`;
      const run = watch(
        "bash",
        ["-c", prelude(block.background) + block.script],
        { env, cwd: ROOT, killAfterMs: 90_000 },
        t,
      );
      const output = () => `${run.stdout()}\n${run.stderr()}`;
      if (block.background) {
        const ready = block.ready as RegExp;
        await run.until(() => ready.test(output()), `${where}: ${ready}`, 30_000);
        running.push({ block, run });
        continue;
      }
      const exit = await run.exit;
      assert.equal(exit.code, 0, `${where} exited ${exit.code}:\n${output()}`);
      if (block.expect) assert.match(output(), block.expect, where);
    }
    for (const { block, run } of running.reverse()) {
      run.child.kill("SIGINT");
      const exit = await run.exit;
      const where = `README line ${block.line}`;
      assert.equal(exit.code, 130, `${where}: Ctrl-C → 130, got ${exit.code}:\n${run.stderr()}`);
      if (block.expect) assert.match(`${run.stdout()}\n${run.stderr()}`, block.expect, where);
    }
  });
}
