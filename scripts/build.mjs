// `npm run build` runs this (the JavaScript in dist/), then tsc for the declarations (tsconfig.build.json).
// One ES-module graph split into chunks, so a module shared by the CLI and the library entries (the redaction
// registry in src/util/redact.ts, for one) exists once. Dependencies stay in node_modules (`packages:
// "external"`). Entry points keep their paths under dist/: the bin imports dist/cli/main.js, the exports map
// points at dist/index.js, dist/receiver/index.js and dist/sandbox/index.js. Each command module that
// src/cli/program.ts imports when its command runs is an entry too (dist/commands/status.js, …), loaded
// only by that command. No source maps: the package ships no src/ for them to point at. The inspector's page
// (src/inspector/web: plain HTML, CSS and ES modules, no build step of its own) is copied as it is.
import { cpSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

process.chdir(fileURLToPath(new URL("../", import.meta.url)));

/** The modules of program.ts's command table (`const COMMANDS = { name: () => import("…"), … }`). */
const program = readFileSync("src/cli/program.ts", "utf8");
const table = program.match(/\nconst COMMANDS\b.*?\n};/s)?.[0] ?? "";
const commands = [...table.matchAll(/import\("(\.[^"]+)\.js"\)/g)].map(([, path]) =>
  join("src/cli", `${path}.ts`),
);
if (commands.length < 10) throw new Error(`found ${commands.length} command modules in src/cli/program.ts`);

rmSync("dist", { recursive: true, force: true });
await build({
  entryPoints: [
    "src/cli/main.ts",
    "src/index.ts",
    "src/receiver/index.ts",
    "src/sandbox/index.ts",
    ...commands,
  ],
  outdir: "dist",
  outbase: "src",
  chunkNames: "chunks/[name]-[hash]",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  packages: "external",
  logLevel: "warning",
});
cpSync("src/inspector/web", "dist/inspector/web", { recursive: true });
