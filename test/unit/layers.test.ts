// The layering rule of the README's Development section: each folder of src/ imports only folders below it,
// and no file imports itself back through others.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const SRC = fileURLToPath(new URL("../../src", import.meta.url));

/** Top to bottom; `index` and `errors` are the files src/index.ts and src/errors.ts. */
const LAYERS = [
  "index",
  "cli",
  "commands",
  "io",
  "inspector",
  "listen",
  "receiver",
  "tunnel",
  "sandbox",
  "verification",
  "config",
  "api",
  "events",
  "util",
  "errors",
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return path.endsWith(".ts") ? [path] : [];
  });
}

/**
 * src-relative file → the src-relative files it imports (static and dynamic, relative specifiers). A file
 * outside src (the package's package.json, read for the version) is data, in no layer.
 */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(SRC)) {
    const text = readFileSync(file, "utf8");
    const targets = [...text.matchAll(/(?:from|import\()\s*["'](\.{1,2}\/[^"']+)["']/g)]
      .map((m) => relative(SRC, normalize(join(dirname(file), m[1] as string))).replace(/\.js$/, ".ts"))
      .filter((target) => !target.startsWith(".."));
    graph.set(relative(SRC, file), targets);
  }
  return graph;
}

const layerOf = (file: string) => (file.split("/")[0] as string).replace(/\.ts$/, "");

test("each folder imports only the folders below it", () => {
  const upward: string[] = [];
  for (const [file, targets] of importGraph()) {
    for (const target of targets) {
      const from = LAYERS.indexOf(layerOf(file));
      const to = LAYERS.indexOf(layerOf(target));
      assert.notEqual(from, -1, `${file}: its folder is not in LAYERS`);
      if (to < from) upward.push(`${file} → ${target}`);
    }
  }
  assert.deepEqual(upward, []);
});

test("no import cycle between files", () => {
  const graph = importGraph();
  const state = new Map<string, "open" | "done">();
  const cycles: string[] = [];
  const visit = (file: string, path: string[]) => {
    state.set(file, "open");
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === "open") cycles.push([...path.slice(path.indexOf(next)), next].join(" → "));
      else if (!state.has(next)) visit(next, [...path, next]);
    }
    state.set(file, "done");
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file, [file]);
  assert.deepEqual(cycles, []);
});
