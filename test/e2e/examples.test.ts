// The README's library examples run as written: examples/receiver.mjs completes CertCentral's challenge
// by itself when `certwh create` points a webhook at it (against the sandbox standing in for CertCentral).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type TestContext, test } from "node:test";
import { fileURLToPath } from "node:url";
import { runCli, tempDir, watch } from "../helpers/cli.js";
import { freePort } from "../helpers/port.js";
import { withSandbox } from "../helpers/sandbox.js";

type Sandbox = Awaited<ReturnType<typeof withSandbox>>;

import { poll } from "../helpers/wait.js";

const example = (name: string) => fileURLToPath(new URL(`../../examples/${name}`, import.meta.url));
const SECRET = "example-secret-0123456789abcdefghijklmnop";

/** The example running against `sandbox` on a free port, with the variables it needs. */
async function startExample(t: TestContext, sandbox: Sandbox) {
  const port = await freePort();
  const env = {
    PATH: process.env.PATH,
    PORT: String(port),
    DIGICERT_BASE_URL: sandbox.url,
    DIGICERT_API_KEY: sandbox.apiKey,
    DIGICERT_WEBHOOK_SECRET: SECRET,
    DIGICERT_WEBHOOK_ID: "12345", // the sandbox's first webhook id
  };
  const app = watch(
    process.execPath,
    [example("receiver.mjs")],
    { env, cwd: tempDir(), killAfterMs: 30_000 },
    t,
  );
  await poll(() => app.stdout().includes("listening"), { timeoutMs: 5000, intervalMs: 50 });
  assert.match(app.stdout(), /listening/);
  return { app, port };
}

/** `certwh create` pointed at the example, with its secret; then until the webhook is active. */
async function createAtExample(sandbox: Sandbox, port: number): Promise<void> {
  const create = await runCli(
    ["create", "--url", `http://127.0.0.1:${port}/digicert/hook`, "--secret-env", "WEBHOOK_SECRET"],
    { env: { CERTWH_BASE_URL: sandbox.url, CERTWH_API_KEY: sandbox.apiKey, WEBHOOK_SECRET: SECRET } },
  );
  assert.equal(create.code, 0, create.stderr);
  await poll(() => sandbox.webhook()?.status === "active", { timeoutMs: 5000, intervalMs: 50 });
}

test("examples/receiver.mjs verifies and activates the webhook unattended", {
  timeout: 30_000,
}, async (t) => {
  const sandbox = await withSandbox(t);
  const { app, port } = await startExample(t, sandbox);

  await createAtExample(sandbox, port);
  assert.equal(sandbox.webhook()?.id, 12345);
  assert.equal(sandbox.webhook()?.status, "active", app.stdout());
  // The example prints its line just after the activate call returns: wait for it, do not race it.
  await app.until(() => app.stdout().includes("challenge activated"), "the example's activated line", 5000);
  assert.match(app.stdout(), /challenge activated/);

  // A settings-only update-url (same URL) leaves the webhook active: read back, no new challenge.
  const cli = { env: { CERTWH_BASE_URL: sandbox.url, CERTWH_API_KEY: sandbox.apiKey } };
  const update = await runCli(
    ["update-url", "--url", `http://127.0.0.1:${port}/digicert/hook`, "--chain"],
    cli,
  );
  assert.equal(update.code, 0, update.stderr);
  assert.match(update.stderr, /still active/);
  const checks = () => sandbox.requests.filter((r) => r.route === "PUT /webhook/:id/check-challenge").length;
  assert.equal(checks(), 1);
  // A later challenge: the long-running receiver completes that one too.
  const challenge = await runCli(["challenge"], cli);
  assert.equal(challenge.code, 0, challenge.stderr);
  await poll(() => checks() >= 2, { timeoutMs: 5000, intervalMs: 50 });
  assert.equal(checks(), 2, app.stdout());
});

test("examples/receiver.mjs verifies under the handshake-no-key reading (probes and challenges without the key)", {
  timeout: 30_000,
}, async (t) => {
  const sandbox = await withSandbox(t, { quirks: ["handshake-no-key"] });
  const { app, port } = await startExample(t, sandbox);
  await createAtExample(sandbox, port);
  assert.equal(sandbox.webhook()?.status, "active", app.stdout() + app.stderr());
});

test("examples/receiver.mjs refuses to start without its variables, naming them", async (t) => {
  const app = watch(
    process.execPath,
    [example("receiver.mjs")],
    { env: { PATH: process.env.PATH, PORT: "0" }, cwd: tempDir(), killAfterMs: 10_000 },
    t,
  );
  const { code } = await app.exit;
  assert.notEqual(code, 0);
  assert.match(app.stderr(), /Set DIGICERT_WEBHOOK_SECRET, DIGICERT_API_KEY and DIGICERT_WEBHOOK_ID/);
});

test("the README's receiver block is examples/receiver.mjs, and it type-checks as strict TypeScript", () => {
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  const code = readFileSync(new URL("../../examples/receiver.mjs", import.meta.url), "utf8");
  const fromImports = code.slice(code.indexOf("import { appendFile }"));
  const block = readme.match(/```js\n(import \{ appendFile \}[\s\S]*?)```/)?.[1];
  assert.equal(block, fromImports);

  // A fresh project that installed certwh (this repository, built): the block as a .ts file, strict, nodenext.
  const root = fileURLToPath(new URL("../../", import.meta.url));
  const dir = tempDir("certwh-readme-ts-");
  mkdirSync(join(dir, "node_modules", "@types"), { recursive: true });
  symlinkSync(root, join(dir, "node_modules", "certwh"), "dir");
  symlinkSync(
    join(root, "node_modules", "@types", "node"),
    join(dir, "node_modules", "@types", "node"),
    "dir",
  );
  writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
  writeFileSync(join(dir, "receiver.ts"), block ?? "");
  const options = {
    strict: true,
    module: "nodenext",
    target: "es2022",
    noEmit: true,
    skipLibCheck: true,
    types: ["node"],
  };
  writeFileSync(
    join(dir, "tsconfig.json"),
    JSON.stringify({ compilerOptions: options, files: ["receiver.ts"] }),
  );
  const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
  try {
    execFileSync(process.execPath, [tsc, "-p", dir], { encoding: "utf8", timeout: 60_000 });
  } catch (error) {
    assert.fail(`tsc refused the README block:\n${(error as { stdout?: string }).stdout ?? String(error)}`);
  }
});

test("examples/sandbox.test.mjs passes as a user would run it", { timeout: 30_000 }, async () => {
  // Without NODE_TEST_CONTEXT the child reports as a top-level run, in TAP.
  const { NODE_TEST_CONTEXT: _, ...env } = process.env;
  const run = watch(process.execPath, ["--test", example("sandbox.test.mjs")], { env, killAfterMs: 30_000 });
  const { code } = await run.exit;
  const result = { code, out: run.stdout() + run.stderr() };
  assert.equal(result.code, 0, result.out);
  assert.match(result.out, /# pass 1/);
});
