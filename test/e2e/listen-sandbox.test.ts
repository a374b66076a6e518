// `certwh listen --sandbox` through the built CLI: an in-process sandbox, no tunnel, real signals.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isState, type Running, runCli, spawnCli, tempDir } from "../helpers/cli.js";
import { portClosed } from "../helpers/port.js";

/** Sends `signal` to listen: it exits with `code`, its last line says so, and its on-exit deactivate ran. */
async function stoppedBy(l: Running, signal: NodeJS.Signals, code: number): Promise<void> {
  l.child.kill(signal);
  const exit = await l.exit;
  assert.equal(exit.code, code, l.stderr());
  const last = l.lines.at(-1);
  assert.equal(last?.type, "interrupted");
  assert.equal(last?.signal, signal);
  const onExit = l.lines.find(isState("on_exit"));
  assert.equal(onExit?.action, "deactivate");
  assert.equal(onExit?.outcome, "done");
}

describe("certwh listen --sandbox", () => {
  test("--json: ready with the sandbox's URL and key, events from `certwh trigger`, SIGINT → 130", async (t) => {
    const l = spawnCli(t, ["listen", "--sandbox", "--json", "--no-journal"]);
    const ready = await l.line((x) => x.type === "ready");
    assert.equal(typeof ready.webhook_id, "number");
    assert.match(String(ready.public_url), /^http:\/\/127\.0\.0\.1:\d+\/hook\//);
    assert.match(String(ready.sandbox_url), /^http:\/\/127\.0\.0\.1:\d+\/services\/v2$/);
    assert.equal(typeof ready.sandbox_api_key, "string");
    assert.ok(!String(ready.sandbox_api_key).includes("…"), "the throwaway key is shown in full");

    const trigger = await runCli(
      ["trigger", "certificate_issued", "--sandbox-url", String(ready.sandbox_url), "--order-id", "4242"],
      { env: { CERTWH_API_KEY: String(ready.sandbox_api_key) } },
    );
    assert.equal(trigger.code, 0, trigger.stderr);
    const event = await l.line((x) => x.type === "event" && x.event === "certificate_issued");
    assert.equal((event.data as { order_id?: number }).order_id, 4242);
    assert.match(String(event.received_at), /^\d{4}-/);

    await stoppedBy(l, "SIGINT", 130);
    for (const line of l.lines) assert.equal(typeof line.type, "string", JSON.stringify(line));
    assert.ok(await portClosed(String(ready.local_url)), "the receiver port is closed");
  });

  test("its terminal closing (SIGHUP) stops listen as Ctrl-C does: the on-exit deactivate runs, exit 129", async (t) => {
    const l = spawnCli(t, ["listen", "--sandbox", "--json", "--no-journal", "--no-inspect"]);
    await l.line((x) => x.type === "ready");
    await stoppedBy(l, "SIGHUP", 129);
  });

  test("--exec runs that failed are summed up at exit with the replay --exec command; the hint names --exec", async (t) => {
    const fail = [process.execPath, "-e", "process.exit(7)"].map((w) => JSON.stringify(w)).join(" ");
    const home = tempDir();
    const l = spawnCli(t, ["listen", "--sandbox", "--exec", fail], { configHome: home });
    await l.stderrIncludes("From another shell: certwh trigger certificate_issued");
    for (const order of ["5001", "5002"]) {
      const sent = await runCli(["trigger", "certificate_issued", "--order-id", order], {
        configHome: home,
      });
      assert.equal(sent.code, 0, sent.stderr);
    }
    await l.until(
      () => (l.stdout().match(/\[exit 7\] exec for certificate_issued/g) ?? []).length === 2,
      "both runs",
    );
    l.child.kill("SIGINT");
    assert.equal((await l.exit).code, 130, l.stderr());
    assert.match(l.stderr(), /Ran --exec .* 0 ok, 2 failed of 2 events/);
    const again =
      /`(certwh replay --journal \S+ --exec .* --id [0-9a-f]{16} --id [0-9a-f]{16})` runs the failed ones again/.exec(
        l.stderr(),
      );
    assert.ok(again, l.stderr());
    assert.match(l.stderr(), /`certwh replay --journal \S+ --exec .*` runs the command for it again/);
    assert.doesNotMatch(l.stderr(), /--to <url>/);
  });

  test("human output: ready block on stderr, event lines on stdout; SIGTERM → 143", async (t) => {
    const l = spawnCli(t, ["listen", "--sandbox", "--no-journal"]);
    await l.stderrIncludes("From another shell: certwh trigger certificate_issued");
    const key = /API key ([A-Za-z0-9_-]+)\)/.exec(l.stderr())?.[1];
    const sandboxUrl = /Sandbox\s+(http:\S+)/.exec(l.stderr())?.[1];
    assert.ok(key && sandboxUrl, l.stderr());
    const emit = await fetch(new URL("/sandbox/v1/emit", sandboxUrl), {
      method: "POST",
      headers: { "x-dc-devkey": key, "content-type": "application/json" },
      body: JSON.stringify({ event: "certificate_revoked", data: { order_id: 77, certificate_id: 78 } }),
    });
    assert.equal(emit.status, 200);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no event line: ${l.stdout()}`)), 10_000);
      const check = setInterval(() => {
        if (/-->\s+certificate_revoked\s+order 77\s+cert 78/.test(l.stdout())) {
          clearTimeout(timer);
          clearInterval(check);
          resolve();
        }
      }, 20);
    });
    assert.ok(!l.stdout().includes("Webhook URL"), "the ready block is not on stdout");
    // No tunnel: the webhook's URL is the receiver's own, not called public.
    assert.match(l.stderr(), /Webhook URL\s+http:\/\/127\.0\.0\.1/);
    assert.match(l.stderr(), /Webhook URL \(no tunnel\) http:\/\/127\.0\.0\.1/);
    assert.doesNotMatch(l.stderr(), /Public URL/);
    assert.match(l.stderr(), /On exit\s+deactivate/);
    l.child.kill("SIGTERM");
    assert.equal((await l.exit).code, 143);
    assert.match(l.stderr(), /Deactivated webhook/);
  });
  test("a journal that cannot be written stops listen with a sentence naming it (exit 2)", async () => {
    const r = await runCli(["listen", "--sandbox", "--journal", "/dev/full"], { timeoutMs: 20_000 });
    assert.equal(r.code, 2, r.stderr);
    // A device is refused before anything starts: what it took could never be read back.
    assert.match(r.stderr, /Cannot write the journal \/dev\/full: it is a device, not a regular file/);
    assert.doesNotMatch(r.stderr, /reachable from the internet/);
  });
  test("sandbox sessions journal apart from real ones, so replay never sends made-up events to an app", async (t) => {
    const { tempDir } = await import("../helpers/cli.js");
    const home = tempDir();
    const l = spawnCli(t, ["listen", "--sandbox", "--json"], { configHome: home });
    const ready = await l.line((x) => x.type === "ready");
    assert.equal(ready.journal, `${home}/.local/state/certwh/sandbox-journal.ndjson`);
    l.child.kill("SIGINT");
    assert.equal((await l.exit).code, 130);
  });
  test("--generate-secret --secret-out: the session's secret is saved (0600) for the app, never printed", async (t) => {
    const { tempDir } = await import("../helpers/cli.js");
    const { readFileSync, statSync } = await import("node:fs");
    const file = `${tempDir()}/webhook.secret`;
    const l = spawnCli(t, [
      "listen",
      "--sandbox",
      "--json",
      "--no-journal",
      "--generate-secret",
      "--secret-out",
      file,
    ]);
    const ready = await l.line((x) => x.type === "ready");
    assert.deepEqual(ready.secret, { generated: true, saved_to: file });
    const secret = readFileSync(file, "utf8").trim();
    assert.equal(secret.length, 43);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    l.child.kill("SIGINT");
    assert.equal((await l.exit).code, 130);
    assert.ok(!l.stdout().includes(secret) && !l.stderr().includes(secret), "the secret is never printed");
  });
  test("bad local side effects are refused before anything starts, as one NDJSON error line (exit 2)", async () => {
    const { tempDir } = await import("../helpers/cli.js");
    const { writeFileSync } = await import("node:fs");
    const home = tempDir();
    const file = `${home}/a-file`;
    writeFileSync(file, "");
    const cases: [string[], RegExp][] = [
      [["--save-chain", `${file}/certs`], /--save-chain .* is not a writable folder/],
      [["--exec", "/nonexistent/program"], /--exec: \/nonexistent\/program is not an executable program/],
      // A folder has the x bit but cannot be run.
      [["--exec", home], /--exec: .* is not an executable program/],
      // Node's own recursive mkdir never returns under /proc: certwh's fails at once.
      [["--save-chain", "/proc/certwh-test/certs"], /--save-chain .* is not a writable folder/],
      [["--journal", `${file}/journal.ndjson`], /Could not write the journal/],
      [["--port", "99999"], /--port must be a number/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(["listen", "--sandbox", "--json", ...args], { configHome: home });
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      const lines = r.stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l));
      const last = lines.at(-1);
      assert.ok(
        lines.every((l) => typeof l.type === "string"),
        r.stdout,
      );
      assert.equal(last.type, "error");
      assert.match(last.message, message);
    }
  });
});
