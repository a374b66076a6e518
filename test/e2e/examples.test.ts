// The README's library examples run as written: examples/receiver.mjs completes CertCentral's challenge
// by itself when `certwh create` points a webhook at it (against the sandbox standing in for CertCentral).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { runCli, tempDir } from "../helpers/cli.js";
import { withSandbox } from "../helpers/sandbox.js";
import { freePort } from "./listen-support.js";

const example = (name: string) => fileURLToPath(new URL(`../../examples/${name}`, import.meta.url));
const SECRET = "example-secret-0123456789abcdefghijklmnop";

test("examples/receiver.mjs verifies and activates the webhook unattended", {
  timeout: 30_000,
}, async (t) => {
  const sandbox = await withSandbox(t);
  const port = await freePort();
  const env = {
    PATH: process.env.PATH,
    PORT: String(port),
    DIGICERT_BASE_URL: sandbox.url,
    DIGICERT_API_KEY: sandbox.apiKey,
    DIGICERT_WEBHOOK_SECRET: SECRET,
    DIGICERT_WEBHOOK_ID: "12345", // the sandbox's first webhook id
  };
  const app = spawn(process.execPath, [example("receiver.mjs")], { env, cwd: tempDir(), stdio: "pipe" });
  t.after(() => app.kill("SIGKILL"));
  let out = "";
  app.stdout.setEncoding("utf8").on("data", (d: string) => {
    out += d;
  });
  for (let i = 0; i < 100 && !out.includes("listening"); i++) await new Promise((r) => setTimeout(r, 50));
  assert.match(out, /listening/);

  const create = await runCli(
    ["create", "--url", `http://127.0.0.1:${port}/digicert/hook`, "--secret-env", "WEBHOOK_SECRET"],
    { env: { CERTWH_BASE_URL: sandbox.url, CERTWH_API_KEY: sandbox.apiKey, WEBHOOK_SECRET: SECRET } },
  );
  assert.equal(create.code, 0, create.stderr);
  for (let i = 0; i < 100 && sandbox.webhook()?.status !== "active"; i++) {
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(sandbox.webhook()?.id, 12345);
  assert.equal(sandbox.webhook()?.status, "active", out);
  assert.match(out, /challenge activated/);

  // A later update-url sends a new challenge: the long-running receiver completes that one too.
  const update = await runCli(["update-url", "--url", `http://127.0.0.1:${port}/digicert/hook`], {
    env: { CERTWH_BASE_URL: sandbox.url, CERTWH_API_KEY: sandbox.apiKey },
  });
  assert.equal(update.code, 0, update.stderr);
  const checks = () => sandbox.requests.filter((r) => r.route === "PUT /webhook/:id/check-challenge").length;
  for (let i = 0; i < 100 && checks() < 2; i++) await new Promise((r) => setTimeout(r, 50));
  assert.equal(checks(), 2, out);
});

test("examples/sandbox.test.mjs passes as a user would run it", { timeout: 30_000 }, async () => {
  const { execFile } = await import("node:child_process");
  const result = await new Promise<{ code: number | null; out: string }>((resolve) => {
    // Without NODE_TEST_CONTEXT the child reports as a top-level run, in TAP.
    const { NODE_TEST_CONTEXT: _, ...env } = process.env;
    const child = execFile(
      process.execPath,
      ["--test", example("sandbox.test.mjs")],
      { env },
      (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr }),
    );
    child.stdin?.end();
  });
  assert.equal(result.code, 0, result.out);
  assert.match(result.out, /# pass 1/);
});
