import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { createExecRunner, type ExecEvent, type ExecResult, execReport } from "../../src/listen/exec.js";
import { poll } from "../helpers/wait.js";

const dir = mkdtempSync(join(tmpdir(), "certwh-exec-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const NODE = process.execPath;

/** Dead, or a zombie waiting for a (possibly lazy) init to reap it. */
function isGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  try {
    return / Z /.test(readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\)/, ") "));
  } catch {
    return true;
  }
}

async function runOnce(
  command: string | string[],
  event: ExecEvent,
  extra: { timeoutMs?: number; killGraceMs?: number; env?: NodeJS.ProcessEnv } = {},
) {
  const results: ExecResult[] = [];
  const runner = createExecRunner({
    command,
    env: { PATH: process.env.PATH },
    onResult: (r) => results.push(r),
    ...extra,
  });
  assert.equal(runner.enqueue(event), true);
  await runner.drain();
  await runner.close();
  assert.equal(results.length, 1);
  return results[0] as ExecResult;
}

const issued = (data: unknown, event = "certificate_issued"): ExecEvent => {
  const body = JSON.stringify({ event, data });
  return { id: "id1", event, body, data };
};

test("the event JSON is on stdin and CERTWH_* are in the environment", async () => {
  const script = `let s="";process.stdin.on("data",d=>s+=d).on("end",()=>process.stdout.write(JSON.stringify({stdin:s,event:process.env.CERTWH_EVENT,order:process.env.CERTWH_ORDER_ID,cert:process.env.CERTWH_CERTIFICATE_ID,path:!!process.env.PATH})))`;
  const event = issued({ order_id: 470091052, certificate_id: 471270113 });
  const r = await runOnce([NODE, "-e", script], event);
  assert.equal(r.ok, true);
  assert.equal(r.exitCode, 0);
  assert.deepEqual(JSON.parse(r.stdoutTail), {
    stdin: event.body,
    event: "certificate_issued",
    order: "470091052",
    cert: "471270113",
    path: true,
  });
});

test("CERTWH_ORDER_ID is unset (not inherited) when the event has no order id", async () => {
  const r = await runOnce(
    [NODE, "-e", "process.stdout.write(String(process.env.CERTWH_ORDER_ID))"],
    { event: "test_webhook_endpoint", body: '{"event":"test_webhook_endpoint"}' },
    { env: { PATH: process.env.PATH, CERTWH_ORDER_ID: "999" } },
  );
  assert.equal(r.stdoutTail, "undefined");
});

test("the command inherits neither certwh's credentials nor any variable holding the webhook secret", async () => {
  const secret = "s".repeat(40);
  const results: ExecResult[] = [];
  const runner = createExecRunner({
    command: [NODE, "-e", "process.stdout.write(Object.keys(process.env).sort().join(','))"],
    env: {
      PATH: process.env.PATH,
      CERTWH_API_KEY: "k",
      DIGICERT_API_KEY: "k",
      NGROK_AUTHTOKEN: "t",
      MY_HOOK_SECRET: secret,
      KEEP_ME: "1",
    },
    secret,
    onResult: (r) => results.push(r),
  });
  runner.enqueue(issued({ order_id: 1 }));
  await runner.drain();
  await runner.close();
  const names = (results[0] as ExecResult).stdoutTail.split(",");
  assert.ok(names.includes("KEEP_ME") && names.includes("PATH"), names.join(","));
  for (const gone of ["CERTWH_API_KEY", "DIGICERT_API_KEY", "NGROK_AUTHTOKEN", "MY_HOOK_SECRET"])
    assert.ok(!names.includes(gone), `${gone} reached the command`);
});

test("event data is never executed, with or without an explicit shell", async () => {
  const marker = (name: string) => join(dir, name);
  const hostile = {
    order_id: `$(touch ${marker("pwned-1")})`,
    certificate_id: `; touch ${marker("pwned-2")}`,
    note: `\`touch ${marker("pwned-3")}\` && touch ${marker("pwned-4")}`,
  };
  const event = issued(hostile, `x$(touch ${marker("pwned-5")});touch ${marker("pwned-6")}`);
  // No shell: $CERTWH_EVENT is passed literally, and stdin is only data for cat.
  const literal = await runOnce("echo $CERTWH_EVENT", event);
  assert.equal(literal.stdoutTail, "$CERTWH_EVENT\n");
  const echoed = await runOnce("cat", event);
  assert.equal(echoed.stdoutTail, event.body);
  // An explicit shell the user asked for: event data expands as a value, never as code.
  const viaShell = await runOnce(`sh -c 'printf "%s" "$CERTWH_EVENT"; cat > /dev/null'`, event);
  assert.equal(viaShell.ok, true);
  assert.equal(viaShell.stdoutTail, event.event);
  assert.deepEqual(
    readdirSync(dir).filter((f) => f.startsWith("pwned")),
    [],
  );
  for (let i = 1; i <= 6; i++) assert.equal(existsSync(marker(`pwned-${i}`)), false);
});

test("a non-zero exit is reported with the tail of stderr", async () => {
  const r = await runOnce(`sh -c 'echo starting; echo "bad things" >&2; exit 3'`, issued({ order_id: 1 }));
  assert.equal(r.ok, false);
  assert.equal(r.exitCode, 3);
  assert.equal(r.timedOut, false);
  assert.equal(r.stderrTail, "bad things\n");
  assert.equal(r.stdoutTail, "starting\n");

  const noisy = await runOnce([NODE, "-e", 'process.stderr.write("x".repeat(100000) + "END")'], issued({}));
  assert.equal(noisy.ok, true);
  assert.ok(noisy.stderrTail.length <= 2048);
  assert.ok(noisy.stderrTail.endsWith("xxEND"));
  assert.equal(noisy.stderrCut, true);
});

test("a long output's tail starts at a line and says earlier output was cut", async () => {
  const lines = [
    NODE,
    "-e",
    "for (let i = 1; i <= 5000; i++) console.log('line ' + i + ' of a lot of output')",
  ];
  const r = await runOnce(lines, issued({}));
  assert.match(r.stdoutTail, /^line \d+ of a lot of output\n/);
  assert.match(r.stdoutTail, /line 5000 of a lot of output\n$/);
  assert.equal(r.stdoutCut, true);
  assert.equal(execReport(r).stdout_truncated, true);
  const short = await runOnce([NODE, "-e", 'console.log("one line")'], issued({}));
  assert.deepEqual(
    [short.stdoutTail, short.stdoutCut, execReport(short).stdout_truncated],
    ["one line\n", undefined, undefined],
  );
});

test("a command that cannot start is reported, not thrown", async () => {
  const r = await runOnce("certwh-no-such-command-xyz --flag", issued({}));
  assert.equal(r.ok, false);
  assert.equal(r.error, "ENOENT");
});

test("the timeout kills the command and what it started", async () => {
  const started = Date.now();
  // The shell starts a background sleep, prints its pid, and waits: both must die.
  const r = await runOnce(`sh -c 'sleep 30 & echo $!; wait'`, issued({}), {
    timeoutMs: 300,
    killGraceMs: 300,
  });
  assert.ok(Date.now() - started < 10_000, "the run ended well before the sleep would have");
  assert.equal(r.ok, false);
  assert.equal(r.timedOut, true);
  assert.match(r.error ?? "", /timed out after 300 ms/);
  const pid = Number(r.stdoutTail.trim());
  assert.ok(pid > 0);
  await poll(() => isGone(pid), { timeoutMs: 2000, intervalMs: 20 });
  assert.equal(isGone(pid), true, `the background sleep ${pid} is still running`);
});

test("a command ignoring SIGTERM is killed after the grace period", async () => {
  // The shell ignores TERM from its first instruction (a node child could still be starting when TERM
  // came on a busy machine, and die of it); the sleep inherits the ignored signal.
  const r = await runOnce(`sh -c 'trap "" TERM; sleep 30'`, issued({}), {
    timeoutMs: 500,
    killGraceMs: 200,
  });
  assert.equal(r.timedOut, true);
  assert.equal(r.signal, "SIGKILL");
});

test("runs respect the concurrency limit and the queue limit", async () => {
  const log = join(dir, "order.log");
  const results: ExecResult[] = [];
  const runner = createExecRunner({
    command: [
      "sh",
      "-c",
      `echo "start $CERTWH_ORDER_ID" >> '${log}'; sleep 0.05; echo "end $CERTWH_ORDER_ID" >> '${log}'`,
    ],
    concurrency: 1,
    queueLimit: 2,
    env: { PATH: process.env.PATH },
    onResult: (r) => results.push(r),
  });
  assert.equal(runner.enqueue(issued({ order_id: 1 })), true); // starts at once
  assert.equal(runner.enqueue(issued({ order_id: 2 })), true);
  assert.equal(runner.enqueue(issued({ order_id: 3 })), true);
  assert.equal(runner.enqueue(issued({ order_id: 4 })), false); // queue full
  await runner.drain();
  await runner.close();
  assert.equal(readFileSync(log, "utf8"), "start 1\nend 1\nstart 2\nend 2\nstart 3\nend 3\n");
  assert.equal(results.length, 4);
  assert.match(results[0]?.error ?? "", /queue full/);
  assert.equal(results.filter((r) => r.ok).length, 3);
});
