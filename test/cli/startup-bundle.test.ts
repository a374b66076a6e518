// The start-up path (bin/certwh.cjs → dist/bundle): what it loads, that its code caches are accepted, and
// that deferring command flags changes nothing a user sees. No timings here: those are `npm run bench`.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { Script } from "node:vm";
import { configureAll } from "../../src/cli/deferred.js";
import { buildProgram } from "../../src/cli/program.js";
import { BIN, cliEnv, runCli, tempDir } from "../helpers/cli.js";
import { withSandbox } from "../helpers/sandbox.js";

const BUNDLE = fileURLToPath(new URL("../../dist/bundle/", import.meta.url));

/** Runs the CLI with a preload that writes the Node built-ins it loaded (after start-up) to a file. */
function builtinsLoadedBy(
  args: string[],
): Promise<{ code: number | null; modules: string[]; stdout: string }> {
  const dir = tempDir();
  const preload = join(dir, "record.cjs");
  const out = join(dir, "modules.json");
  writeFileSync(
    preload,
    `const before = new Set(process.moduleLoadList);
process.on("exit", () => require("fs").writeFileSync(${JSON.stringify(out)},
  JSON.stringify(process.moduleLoadList.filter((m) => !before.has(m) && m.startsWith("NativeModule ")))));`,
  );
  return new Promise((resolve, reject) => {
    // stdout and stderr are pipes, stdin /dev/null: what a script or the benchmark gives certwh.
    const child = spawn(process.execPath, ["-r", preload, BIN, ...args], {
      env: cliEnv(),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    child.stdout.setEncoding("utf8").on("data", (d) => {
      stdout += d;
    });
    child.stderr.resume();
    const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      const modules = (JSON.parse(readFileSync(out, "utf8")) as string[]).map((m) => m.slice(13));
      resolve({ code, modules, stdout });
    });
  });
}

// Streams and sockets (process.stdout as a stream, node:net, node:tty) and the ES module loader's
// resolution are what made a start slow; the quick commands must not load them.
const HEAVY = ["net", "stream", "tty", "child_process", "http", "readline/interface"];

for (const args of [["--help"], ["event-types"], ["event-types", "--json"], ["help", "create"]]) {
  test(`certwh ${args.join(" ")} loads no stream, socket or terminal module`, async () => {
    const { code, modules, stdout } = await builtinsLoadedBy(args);
    assert.equal(code, 0);
    assert.ok(stdout.length > 100, "it printed its output");
    const heavy = modules.filter((m) => HEAVY.includes(m));
    assert.deepEqual(heavy, [], `loaded: ${modules.join(", ")}`);
  });
}

test("a command that needs an ESM-only dependency still loads it (conf, through the launcher)", async () => {
  const { code, modules } = await builtinsLoadedBy(["config", "list", "--json"]);
  assert.equal(code, 0);
  assert.ok(
    modules.some((m) => m.startsWith("internal/modules/esm/")),
    "the ESM loader ran for conf",
  );
});

test("every command has a bundle, and this Node accepts every bundle's code cache", () => {
  const commands = readdirSync(fileURLToPath(new URL("../../src/commands/", import.meta.url)))
    .filter((f) => f.endsWith(".ts"))
    .map((f) => f.slice(0, -3));
  const bundles = [
    join(BUNDLE, "certwh.cjs"),
    join(BUNDLE, "report.cjs"),
    ...commands.map((c) => join(BUNDLE, "commands", `${c}.cjs`)),
  ];
  for (const file of bundles) {
    assert.ok(existsSync(file), `${file} exists`);
    // Compiled as bin/certwh.cjs does (the file is the wrapped module): V8 accepts a cache only for the
    // identical source.
    const source = readFileSync(file, "latin1");
    assert.ok(source.startsWith("(function (exports, require, module, __filename, __dirname) {"));
    assert.ok(!/[\u0080-\uffff]/.test(source), `${file} is ASCII`);
    const script = new Script(source, {
      filename: file,
      cachedData: readFileSync(`${file}.cache`),
    });
    assert.equal(script.cachedDataRejected, false, `${file}.cache accepted`);
  }
});

test("deferred flags: the command list is the same before and after every command is configured", () => {
  const program = buildProgram({ signal: new AbortController().signal });
  const before = program.helpInformation();
  configureAll(program);
  assert.equal(program.helpInformation(), before);
  // And configuring really added the flags (create has --url, the config subcommands exist).
  const create = program.commands.find((c) => c.name() === "create");
  assert.ok(create?.options.some((o) => o.long === "--url"));
  const config = program.commands.find((c) => c.name() === "config");
  assert.deepEqual(
    config?.commands.map((c) => c.name()),
    ["path", "list", "get", "set", "unset"],
  );
});

test("bundle frames in stack traces are named by their place in the package, not the build machine", () => {
  const launcher = createRequire(import.meta.url)("../../bin/certwh.cjs") as {
    loadBundle(file: string): { modules: Record<string, { buildProgram: typeof buildProgram }> };
  };
  const core = launcher.loadBundle(join(BUNDLE, "certwh.cjs"));
  const program = core.modules["cli/program.js"].buildProgram({ signal: new AbortController().signal });
  program.configureOutput({ writeErr: () => {} });
  assert.throws(
    () => program.parse(["node", "certwh", "--bogus"]),
    (err: Error) => /\(certwh\/dist\/bundle\/certwh\.cjs:\d+:\d+\)/.test(String(err.stack)),
  );
});

test("`certwh <global options> help <command>` shows the command's flags (deferred until then)", async () => {
  for (const args of [
    ["--json", "help", "create"],
    ["help", "--json", "create"],
    ["--profile", "x", "help", "create"],
  ]) {
    const { code, stdout } = await runCli(args);
    assert.equal(code, 0, args.join(" "));
    assert.match(stdout, /--generate-secret/, args.join(" "));
  }
  const config = await runCli(["--verbose", "help", "config"]);
  assert.match(config.stdout, /Commands:[\s\S]*unset/);
  const unknown = await runCli(["--json", "help", "bogus"]);
  assert.equal(unknown.code, 2);
});

test("a failure reported into a closed stdout keeps its exit code and its message on stderr", async () => {
  const child = spawn(process.execPath, [BIN, "status", "--json"], {
    env: cliEnv(),
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout.destroy(); // the reader is gone before certwh writes its JSON error
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (d) => {
    stderr += d;
  });
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  assert.equal(code, 4);
  assert.match(stderr, /No CertCentral API key/);
});

test("an API command uses every code cache it loads (a V8 flag set too early would reject undici's)", async (t) => {
  const sandbox = await withSandbox(t);
  const dir = tempDir();
  const spy = join(dir, "spy.cjs");
  writeFileSync(
    spy,
    `const vm = require("node:vm"); const Script = vm.Script;
vm.Script = class extends Script { constructor(source, options) { super(source, options);
  if (options && options.cachedData) process.stderr.write("[cache] " + options.filename + " " + (this.cachedDataRejected ? "rejected" : "accepted") + "\\n"); } };`,
  );
  const child = spawn(process.execPath, ["-r", spy, BIN, "status", "--json"], {
    env: cliEnv({ CERTWH_BASE_URL: sandbox.url, CERTWH_API_KEY: sandbox.apiKey }),
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (d) => {
    stderr += d;
  });
  await new Promise((resolve) => child.on("close", resolve));
  const lines = stderr.split("\n").filter((l) => l.startsWith("[cache]"));
  assert.ok(
    lines.some((l) => l.includes("undici.cjs")),
    stderr,
  );
  assert.deepEqual(
    lines.filter((l) => l.endsWith("rejected")),
    [],
  );
});
