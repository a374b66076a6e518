// Bundles the CLI that bin/certwh.cjs runs from tsc's output (dist/) into CommonJS, because start-up time
// is most of what `certwh --help` or `certwh event-types` costs and Node starts CommonJS faster than ES
// modules (no ESM loader) and one file faster than dozens:
//   dist/bundle/certwh.cjs          the command table: main, commander, flags and help. Nothing else.
//   dist/bundle/commands/<name>.cjs one per src/commands/<name>.ts, with its context, output and error
//                                   reporting; loaded only when that command runs.
//   dist/bundle/report.cjs          error reporting when no command was loaded (usage errors).
// A module the core bundle holds is never copied into a command bundle: the command gets the core's
// instance (so `instanceof CertwhError` and friends hold across bundles). Dependencies stay in
// node_modules, except commander, which is bundled into the core with its child_process require made lazy
// (it needs it only for external subcommands, which certwh has none of).
// The library entries (certwh, certwh/receiver, certwh/sandbox) stay tsc's ES modules.

import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import Module from "node:module";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "dist");
const final = join(dist, "bundle");
// Built next to it and swapped in at the end (see the two renames below).
const out = join(dist, "bundle.next");
const posix = (p) => p.split("\\").join("/");

/**
 * Bundles run as vm.Script code (bin/certwh.cjs), which cannot import() on Node 20: a dependency's import()
 * goes through the launcher's importModule instead (plain import() when the bundle was required directly).
 */
const importThroughLauncher = {
  name: "import-through-launcher",
  setup(b) {
    b.onLoad({ filter: /[\\/]dist[\\/].*\.js$/ }, (a) => ({
      contents: readFileSync(a.path, "utf8").replace(
        /\bimport\((["'])([^."'][^"']*)\1\)/g,
        (_, _q, specifier) => `__certwhImport(${JSON.stringify(specifier)})`,
      ),
      loader: "js",
    }));
  },
};

/**
 * Every bundle's prelude: the launcher (bin/certwh.cjs: the main module when certwh runs as a program,
 * required by path otherwise, e.g. in this build) and import() through it.
 */
const prelude = (bundleDir) =>
  [
    `const __certwhLauncher = () => require.main?.exports.loadBundle ? require.main.exports : require(require("node:path").join(__dirname, ${JSON.stringify(posix(relative(bundleDir, join(root, "bin", "certwh.cjs"))))}));`,
    "const __certwhImport = (s) => __certwhLauncher().importModule(s);",
  ].join("\n");

/**
 * The version is built in (no package.json read per start). import.meta.url, used only by version.ts's
 * fallback, stands for dist/util/version.js, computed only if ever reached.
 */
const version = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version;
const builtIns = (bundleDir) => ({
  banner: {
    js: `${prelude(bundleDir)}\nconst __certwhMeta = { get url() { return require("node:url").pathToFileURL(require("node:path").join(__dirname, ${JSON.stringify(posix(relative(bundleDir, join(dist, "util", "version.js"))))})).href; } };`,
  },
  define: { "import.meta.url": "__certwhMeta.url", __CERTWH_VERSION__: JSON.stringify(version) },
});

const common = {
  // Paths in the metafile (which modules the core holds) are relative to this, wherever the build runs from.
  absWorkingDir: root,
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  packages: "external",
  logLevel: "warning",
  // lazy.cjs requires command bundles by a computed path on purpose.
  logOverride: { "unsupported-require-call": "silent" },
};

/** Entry modules made from a few lines of source, resolved against dist/. */
function virtualEntries(sources) {
  return {
    name: "virtual-entries",
    setup(b) {
      b.onResolve({ filter: /^entry:/ }, (a) => ({ path: a.path.slice(6), namespace: "entry" }));
      b.onLoad({ filter: /.*/, namespace: "entry" }, (a) => ({
        contents: sources[a.path],
        resolveDir: dist,
        loader: "js",
      }));
    },
  };
}

/** The core's swaps: commander bundled (with a lazy child_process), and lazy.js replaced by lazy.cjs. */
const coreSwaps = {
  name: "core-swaps",
  setup(b) {
    b.onLoad({ filter: /[\\/]dist[\\/]cli[\\/]commander\.js$/ }, () => ({
      contents: 'export { Command, CommanderError, Help, Option } from "commander";',
      resolveDir: join(dist, "cli"),
      loader: "js",
    }));
    b.onResolve({ filter: /^commander$/ }, () => ({
      path: join(root, "node_modules", "commander", "index.js"),
    }));
    b.onResolve({ filter: /^(node:)?child_process$/ }, (a) =>
      a.importer.includes("node_modules") ? { path: "child_process", namespace: "lazy-builtin" } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "lazy-builtin" }, () => ({
      contents:
        'let m; const load = () => (m ??= require("node:child_process")); module.exports = new Proxy({}, { get: (_, k) => load()[k] });',
      loader: "js",
    }));
    b.onResolve({ filter: /^\.\/lazy\.js$/ }, () => ({ path: join(root, "scripts", "bundle", "lazy.cjs") }));
  },
};

/**
 * In a command bundle, a module the core holds becomes a reference to the core's instance. The core is
 * found through the launcher's loader, which returns it from require.cache without a path lookup.
 */
function fromCore(coreModules, coreFromHere) {
  return {
    name: "from-core",
    setup(b) {
      b.onResolve({ filter: /^\./ }, (a) => {
        const key = posix(relative(dist, join(a.resolveDir, a.path)));
        return coreModules.has(key) ? { path: key, namespace: "core" } : undefined;
      });
      b.onLoad({ filter: /.*/, namespace: "core" }, (a) => ({
        contents: `module.exports = require("certwh-core").modules[${JSON.stringify(a.path)}];`,
        loader: "js",
      }));
      b.onResolve({ filter: /^certwh-core$/ }, () => ({ path: "core", namespace: "core-ref" }));
      b.onLoad({ filter: /.*/, namespace: "core-ref" }, () => ({
        // __certwhLauncher: the bundle's prelude (see builtIns).
        contents: `module.exports = __certwhLauncher().loadBundle(require("node:path").join(__dirname, ${JSON.stringify(coreFromHere)}));`,
        loader: "js",
      }));
    },
  };
}

/**
 * undici is ~100 files that cost ~60 ms to load on every API command: the command bundles share one bundled
 * copy of it (dist/bundle/undici.cjs, same version from the lockfile), loaded with its code cache.
 */
function sharedUndici(undiciFromHere) {
  return {
    name: "shared-undici",
    setup(b) {
      b.onResolve({ filter: /^undici$/ }, () => ({ path: "undici", namespace: "undici-ref" }));
      b.onLoad({ filter: /.*/, namespace: "undici-ref" }, () => ({
        // __certwhLauncher: the bundle's prelude (see builtIns).
        contents: `module.exports = __certwhLauncher().loadBundle(require("node:path").join(__dirname, ${JSON.stringify(undiciFromHere)}));`,
        loader: "js",
      }));
    },
  };
}

async function buildUndici() {
  await build({
    ...common,
    packages: undefined,
    entryPoints: [join(root, "node_modules", "undici", "index.js")],
    outfile: join(out, "undici.cjs"),
  });
}

async function buildCore() {
  const entry = (modules) =>
    [
      'export { main } from "./cli/main.js";',
      ...modules.map((m, i) => `import * as m${i} from "./${m}";`),
      `export const modules = { ${modules.map((m, i) => `${JSON.stringify(m)}: m${i}`).join(", ")} };`,
    ].join("\n");
  const options = (source) => ({
    ...common,
    ...builtIns(out),
    entryPoints: ["entry:core"],
    outfile: join(out, "certwh.cjs"),
    plugins: [virtualEntries({ core: source }), coreSwaps, importThroughLauncher],
    // Whitespace and syntax only: names stay readable in stack traces.
    minifyWhitespace: true,
    minifySyntax: true,
    metafile: true,
  });
  // First pass: which of dist/ the core needs; second: the same, exporting each of them for the commands.
  const first = await build({ ...options(entry([])), write: false });
  const modules = Object.keys(first.metafile.inputs)
    .filter((p) => p.startsWith("dist/"))
    .map((p) => p.slice("dist/".length));
  await build(options(entry(modules)));
  return new Set(modules);
}

const RUNTIME = [
  'export * as context from "./cli/context.js";',
  'export * as output from "./io/output.js";',
  'export * as exitCodes from "./cli/exit-codes.js";',
].join("\n");

async function buildCommands(coreModules) {
  const names = readdirSync(join(dist, "commands"))
    .filter((f) => f.endsWith(".js"))
    .map((f) => f.slice(0, -3));
  const dir = join(out, "commands");
  await build({
    ...common,
    ...builtIns(dir),
    entryPoints: names.map((n) => ({ in: `entry:${n}`, out: n })),
    outdir: dir,
    outExtension: { ".js": ".cjs" },
    plugins: [
      virtualEntries(
        Object.fromEntries(
          names.map((n) => [n, `export * as command from "./commands/${n}.js";\n${RUNTIME}`]),
        ),
      ),
      fromCore(coreModules, "../certwh.cjs"),
      sharedUndici("../undici.cjs"),
      importThroughLauncher,
    ],
  });
  await build({
    ...common,
    ...builtIns(out),
    entryPoints: ["entry:report"],
    outfile: join(out, "report.cjs"),
    plugins: [
      virtualEntries({ report: RUNTIME }),
      fromCore(coreModules, "./certwh.cjs"),
      sharedUndici("./undici.cjs"),
      importThroughLauncher,
    ],
  });
}

// V8's compiled code for each bundle, made after running what starts run (scripts/bundle/make-caches.cjs, in
// a child process whose output is dropped), so a start skips compiling it. bin/certwh.cjs uses a cache when
// the running Node accepts it and compiles as usual otherwise.
function writeCodeCaches() {
  const made = spawnSync(process.execPath, [join(root, "scripts", "bundle", "make-caches.cjs")], {
    stdio: ["ignore", "ignore", "inherit"],
    timeout: 60_000,
  });
  if (made.status !== 0) throw new Error(`making the code caches failed (${made.status ?? made.signal})`);
}

/**
 * Each bundle as bin/certwh.cjs compiles it: ASCII only (esbuild escapes strings; comments may keep a "—",
 * and \u escapes are valid anywhere in JS), wrapped as a CommonJS module function.
 */
function wrapForLauncher(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = join(dir, entry.name);
    if (entry.isDirectory()) wrapForLauncher(file);
    else if (entry.name.endsWith(".cjs")) {
      const ascii = readFileSync(file, "utf8").replace(
        /[\u0080-\uffff]/g,
        (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
      );
      writeFileSync(file, Module.wrap(ascii));
    }
  }
}

rmSync(out, { recursive: true, force: true });
await buildCommands(await buildCore());
await buildUndici();
wrapForLauncher(out);
// Two renames: a CLI started during a rebuild finds the old set or the new one (but for that instant).
const previous = join(dist, "bundle.previous");
rmSync(previous, { recursive: true, force: true });
if (existsSync(final)) renameSync(final, previous);
renameSync(out, final);
rmSync(previous, { recursive: true, force: true });
// In place: a cache remembers the file name it was made under (stack traces would name bundle.next).
writeCodeCaches();
