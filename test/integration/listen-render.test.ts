// How listen's state events reach the terminal (ux-conventions §3–§4): NDJSON on stdout under --json; event
// lines on stdout and everything else on stderr otherwise; the countdown updates in place on a TTY only.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createListenRenderer } from "../../src/io/render-listen.js";
import type { ListenEvent } from "../../src/listen/types.js";
import { ManualClock } from "../../src/util/clock.js";
import { registerSecret } from "../../src/util/redact.js";
import { captureOutput } from "../helpers/capture.js";

/** The writes to stdout (`out`) and stderr (`err`), one entry each. */
function capture(opts: { json: boolean; tty?: boolean; dumbTerminal?: boolean }) {
  const { io, stdout, stderr } = captureOutput({ ...opts, color: false });
  return { io, out: stdout.writes, err: stderr.writes };
}

const READY: ListenEvent = {
  type: "ready",
  public_url: "https://abc.ngrok.app/hook/x",
  local_url: "http://127.0.0.1:5000/hook/x",
  webhook_id: 12,
  status: "active",
  events: ["certificate_issued"],
  tunnel: "ngrok",
  protections: { key_check: true, ip_allowlist: ["216.168.240.0/20"], source_check: "loopback peers only" },
  forward_to: null,
  journal: null,
  on_exit: "deactivate",
  until: null,
  sandbox_url: "http://127.0.0.1:6000/services/v2",
  sandbox_api_key: "sandbox-key-0123456789-abcdefgh",
};

const EVENTS: ListenEvent[] = [
  { type: "state", stage: "verified", webhook_id: 12 },
  READY,
  {
    type: "event",
    event: "certificate_issued",
    data: { order_id: 470091052, certificate_id: 471270113 },
    received_at: "2026-01-01T14:02:11.000Z",
    id: "abc",
    known: true,
  },
  {
    type: "forward",
    id: "abc",
    event: "certificate_issued",
    url: "http://localhost:3000/w",
    attempt: 1,
    ok: true,
    status: 200,
    ms: 23,
    final: true,
  },
  {
    type: "rejected",
    status: 401,
    reason: "unauthorized",
    detail: "missing",
    received_at: "2026-01-01T14:05:40.000Z",
  },
  {
    type: "duplicate",
    event: "certificate_issued",
    received_at: "2026-01-01T14:06:02.000Z",
    id: "abc",
    first_received_at: "2026-01-01T14:02:11.000Z",
  },
  { type: "interrupted", signal: "SIGINT", on_exit: "deactivate", webhook_id: 12 },
];

describe("listen rendering", () => {
  test("--json: one object per line, each with a type; the sandbox's throwaway key is shown", () => {
    registerSecret("sandbox-key-0123456789-abcdefgh");
    const { io, out, err } = capture({ json: true });
    const r = createListenRenderer(io, new ManualClock());
    for (const e of EVENTS) r.render(e);
    r.close();
    assert.deepEqual(err, []);
    const lines = out
      .join("")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    assert.deepEqual(
      lines.map((l) => l.type),
      EVENTS.map((e) => e.type),
    );
    assert.equal(lines[1].sandbox_api_key, "sandbox-key-0123456789-abcdefgh");
    assert.deepEqual(lines[2].data, { order_id: 470091052, certificate_id: 471270113 });
  });

  test("human: event, forward and duplicate lines on stdout; ready block and rejections on stderr", () => {
    const { io, out, err } = capture({ json: false });
    const r = createListenRenderer(io, new ManualClock());
    for (const e of EVENTS) r.render(e);
    const stdout = out.join("");
    const stderr = err.join("");
    assert.match(stdout, /-->\s+certificate_issued\s+order 470091052\s+cert 471270113/);
    assert.match(stdout, /<-- \[200\] certificate_issued abc → POST http:\/\/localhost:3000\/w \(23 ms\)/);
    assert.match(stdout, /==\s+repeat of certificate_issued at \d\d:\d\d:\d\d dropped/);
    assert.doesNotMatch(stdout, /Public URL|Webhook URL|xx|rejected/);
    assert.match(stderr, /Webhook 12 is active; events now reach this computer/);
    assert.match(stderr, /IP allowlist 216\.168\.240\.0\/20 at the ngrok edge/);
    assert.match(stderr, /xx {2}rejected 401: X-WEBHOOK-KEY missing/);
  });

  test("rejections, exec output and saved chains read as sentences", () => {
    const { io, out, err } = capture({ json: false });
    const r = createListenRenderer(io, new ManualClock());
    const at = "2026-11-27T10:00:00.000Z";
    const rejected = (reason: string, detail?: string): ListenEvent =>
      ({
        type: "rejected",
        status: 400,
        reason,
        ...(detail ? { detail } : {}),
        received_at: at,
      }) as ListenEvent;
    r.render(rejected("bad_request", "invalid_json"));
    r.render(rejected("unauthorized", "missing"));
    r.render(rejected("payload_too_large", "declared"));
    r.render({ type: "rejected", status: 0, reason: "aborted", received_at: at } as ListenEvent);
    r.render({
      type: "exec",
      event: "certificate_issued",
      ok: true,
      exit_code: 0,
      signal: null,
      timed_out: false,
      ms: 12,
      stdout_tail: "issued order 7\n",
    });
    r.render({
      type: "chain_saved",
      order_id: 7,
      dir: "/certs/7",
      files: ["/certs/7/cert.pem", "/certs/7/root.pem"],
    });
    const e = err.join("");
    assert.match(e, /rejected 400: body is not valid JSON/);
    assert.match(e, /rejected 400: X-WEBHOOK-KEY missing/);
    assert.match(e, /rejected 400: Content-Length over the size cap/);
    assert.match(e, /xx {2}not answered: the sender went away before its body ended/);
    const o = out.join("");
    assert.match(o, /exec for certificate_issued \(12 ms\)\n {10}\| issued order 7/);
    assert.match(o, /saved cert\.pem, root\.pem in \/certs\/7/);
  });

  test("the countdown updates in place on a TTY, and prints one line without one", () => {
    const clock = new ManualClock();
    const waiting: ListenEvent = {
      type: "state",
      stage: "waiting",
      webhook_id: 12,
      deadline: new Date(clock.now() + 1_800_000).toISOString(),
      deadline_ms: clock.now() + 1_800_000,
      time_left_ms: 1_800_000,
    };
    const tty = capture({ json: false, tty: true });
    const r1 = createListenRenderer(tty.io, clock);
    r1.render(waiting);
    r1.render({ type: "state", stage: "verified", webhook_id: 12 });
    r1.close();
    const ESC = String.fromCharCode(27);
    assert.ok(
      tty.err.join("").includes(`\r${ESC}[2KWaiting for the challenge token… 30:00 left`),
      tty.err.join(""),
    );

    const plain = capture({ json: false, tty: false });
    const r2 = createListenRenderer(plain.io, clock);
    r2.render(waiting);
    r2.close();
    assert.equal(plain.err.length, 1);
    assert.ok(!plain.err.join("").includes(ESC), "no escape codes without a TTY");

    // TERM=dumb cannot rewrite a line: the plain line, not a new one every second for 30 minutes.
    const dumb = capture({ json: false, tty: true, dumbTerminal: true });
    const r3 = createListenRenderer(dumb.io, clock);
    r3.render(waiting);
    r3.close();
    assert.deepEqual(dumb.err, plain.err);
  });
});

test("text from the network cannot drive the terminal: control characters are escaped", () => {
  const { io, out } = capture({ json: false });
  const r = createListenRenderer(io, new ManualClock());
  r.render({
    type: "event",
    event: "certificate_issued\u001b]0;pwned\u0007\r",
    data: { order_id: "12\u001b[31m", certificate_id: "\r\n14:00:00  --> forged" },
    received_at: "2026-11-27T10:00:00.000Z",
    id: "abc",
    known: false,
  });
  const text = out.join("");
  const controls = [...text.replace(/\n$/, "")].filter(
    (c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f,
  );
  assert.deepEqual(controls, [], JSON.stringify(text));
  assert.equal(text.trimEnd().split("\n").length, 1, "one line, no forged second line");
  assert.match(text, /certificate_issued\\u001b\]0;pwned\\u0007\\u000d/);
});

test("forward failures in words, with the code kept; a forward cut by the stop is not blamed on the app", () => {
  const { io, out } = capture({ json: false });
  const r = createListenRenderer(io, new ManualClock());
  const failed = (error: string): ListenEvent => ({
    type: "forward",
    id: "0123456789abcdef",
    event: "certificate_revoked",
    url: "http://127.0.0.1:3000/w",
    attempt: 5,
    ok: false,
    ms: 3,
    error,
    final: true,
  });
  r.render(failed("UND_ERR_SOCKET"));
  r.render(failed("forwarder closed"));
  const [socket, closed] = out.join("").trim().split("\n");
  assert.match(
    socket ?? "",
    /<-- \[the app closed the connection without an answer \(UND_ERR_SOCKET\)\] certificate_revoked 0123456789abcdef → POST http:\/\/127\.0\.0\.1:3000\/w \(3 ms\): your app is not answering/,
  );
  assert.match(
    closed ?? "",
    /\[forwarder closed\].*: listen stopped before it finished \(the event is in the journal\)/,
  );
  assert.doesNotMatch(closed ?? "", /your app is not answering/);
});

test("the interrupted line says it as every other command does (cli/interrupts.ts's words)", () => {
  const { io, err } = capture({ json: false });
  const r = createListenRenderer(io, new ManualClock());
  const stopped = { type: "interrupted", on_exit: "deactivate" } as const;
  r.render({ ...stopped, signal: "SIGINT" });
  r.render({ ...stopped, signal: "SIGTERM" });
  r.render({ ...stopped, signal: "SIGHUP" });
  r.render({ ...stopped, signal: "SIGTERM", cause: "parent_exited" });
  r.render({ ...stopped, signal: "SIGPIPE", cause: "stdout_closed" });
  const lines = err.join("").trim().split("\n");
  assert.deepEqual(lines, [
    "Interrupted by SIGINT.",
    "Interrupted by SIGTERM.",
    "Stopped: its terminal was closed (SIGHUP).",
    "Stopped: the process that started certwh went away (stopped as on SIGTERM).",
    "Stopped: stdout was closed (whatever read certwh's output went away).",
  ]);
});
