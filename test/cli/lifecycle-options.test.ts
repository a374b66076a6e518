// argv → commander → parse…Options, as tables, for every lifecycle command (no command runs).
import assert from "node:assert/strict";
import { test } from "node:test";
import { Command, CommanderError } from "commander";
import { register } from "../../src/cli/register/lifecycle.js";
import { parseCreateOptions } from "../../src/commands/create.js";
import { parseDeleteOptions } from "../../src/commands/delete.js";
import { parseLogsOptions } from "../../src/commands/logs.js";
import { parseStatusOptions } from "../../src/commands/status.js";
import { parseTestOptions } from "../../src/commands/test.js";
import { parseUpdateUrlOptions } from "../../src/commands/update-url.js";
import { parseVerifyOptions } from "../../src/commands/verify.js";
import { UsageError } from "../../src/errors.js";

/** Parse argv with the real registration; returns the command name and its raw options. */
function parseArgv(argv: string[]): { name: string; opts: Record<string, unknown> } {
  const program = new Command("certwh")
    .exitOverride()
    .configureOutput({ writeErr: () => {}, writeOut: () => {} });
  program.option("-y, --yes", "", false);
  let captured: { name: string; opts: Record<string, unknown> } | undefined;
  register(program, async (name, opts) => {
    captured = { name, opts };
  });
  for (const sub of program.commands)
    sub.exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
  program.parse(argv, { from: "user" });
  assert.ok(captured, "an action ran");
  return captured;
}

const sandbox = { allowLoopbackHttp: true };
const real = { allowLoopbackHttp: false };
const URL_ = "https://hooks.example.com/certcentral";

test("create: argv → CreateOptions", () => {
  const table: [string[], Partial<ReturnType<typeof parseCreateOptions>>][] = [
    [
      ["create", "--url", URL_],
      {
        url: URL_,
        events: ["certificate_issued"],
        unknownEvents: [],
        secret: { kind: "none" },
        settings: undefined,
        verify: true,
      },
    ],
    [["create", "--url", URL_, "--no-verify"], { verify: false }],
    [
      ["create", "--url", URL_, "--event", "certificate_revoked", "--event", "order_rejected"],
      { events: ["certificate_revoked", "order_rejected"] },
    ],
    [
      ["create", "--url", URL_, "--events", "domain_expired,x_y"],
      { events: ["domain_expired", "x_y"], unknownEvents: ["x_y"] },
    ],
    [
      ["create", "--url", URL_, "--generate-secret", "--secret-out", "s.txt"],
      { secret: { kind: "generate", outFile: "s.txt" } },
    ],
    [
      ["create", "--url", URL_, "--secret-file", "/run/secret"],
      { secret: { kind: "file", path: "/run/secret" } },
    ],
    [["create", "--url", URL_, "--secret-env", "WH_SECRET"], { secret: { kind: "env", name: "WH_SECRET" } }],
    [
      ["create", "--url", URL_, "--chain", "--instant", "--frequency", "90,60,30,7,0,-7"],
      {
        settings: {
          webhook_send_certificate_chain: "1",
          webhook_send_instant_issued_certificate_chain: "1",
          instant_issue_webhook_notification: "1",
          webhook_notification_frequency: [90, 60, 30, 7, 0, -7],
        },
      },
    ],
    [["create", "--url", URL_, "--frequency", "-7"], { settings: { webhook_notification_frequency: [-7] } }],
    [
      ["create", "--url", URL_, "--no-chain"],
      {
        settings: { webhook_send_certificate_chain: "0", webhook_send_instant_issued_certificate_chain: "0" },
      },
    ],
  ];
  for (const [argv, expected] of table) {
    const { name, opts } = parseArgv(argv);
    assert.equal(name, "create");
    const parsed = parseCreateOptions(opts, real);
    for (const [key, value] of Object.entries(expected)) {
      assert.deepEqual(parsed[key as keyof typeof parsed], value, `${argv.join(" ")}: ${key}`);
    }
  }
});

test("create: bad argv → UsageError or commander error, never options", () => {
  const usage: [string[], { allowLoopbackHttp: boolean }][] = [
    [["create", "--url", "http://127.0.0.1:8080/hook"], real],
    [["create", "--url", "http://hooks.example.com/x"], sandbox],
    [["create", "--url", URL_, "--secret-file", "a", "--generate-secret"], real],
    [["create", "--url", URL_, "--secret-out", "x"], real],
    [["create", "--url", URL_, "--frequency", "14"], real],
    [["create", "--url", URL_, "--events", ","], real],
  ];
  for (const [argv, policy] of usage) {
    const { opts } = parseArgv(argv);
    assert.throws(() => parseCreateOptions(opts, policy), UsageError, argv.join(" "));
  }
  assert.equal(
    parseCreateOptions(parseArgv(["create", "--url", "http://127.0.0.1:8080/hook"]).opts, sandbox).url,
    "http://127.0.0.1:8080/hook",
  );
  for (const argv of [["create"], ["create", "--url"], ["create", "--url", URL_, "--remove-secret"]]) {
    assert.throws(() => parseArgv(argv), CommanderError, argv.join(" "));
  }
});

test("update-url: argv → UpdateUrlOptions (events undefined = keep)", () => {
  const table: [string[], Partial<ReturnType<typeof parseUpdateUrlOptions>>][] = [
    [
      ["update-url", "--url", URL_],
      { url: URL_, events: undefined, secret: { kind: "none" }, settings: undefined, verify: true },
    ],
    [
      ["update-url", "--url", URL_, "--remove-secret", "--no-verify"],
      { secret: { kind: "remove" }, verify: false },
    ],
    [["update-url", "--url", URL_, "--events", "certificate_issued"], { events: ["certificate_issued"] }],
    [
      ["update-url", "--url", URL_, "--no-instant"],
      { settings: { instant_issue_webhook_notification: "0" } },
    ],
  ];
  for (const [argv, expected] of table) {
    const parsed = parseUpdateUrlOptions(parseArgv(argv).opts, real);
    for (const [key, value] of Object.entries(expected)) {
      assert.deepEqual(parsed[key as keyof typeof parsed], value, `${argv.join(" ")}: ${key}`);
    }
  }
  assert.throws(
    () =>
      parseUpdateUrlOptions(
        parseArgv(["update-url", "--url", URL_, "--remove-secret", "--secret-env", "X"]).opts,
        real,
      ),
    UsageError,
  );
});

test("verify: the token is opaque, trimmed only; --no-activate", () => {
  const table: [string[], ReturnType<typeof parseVerifyOptions> | typeof UsageError][] = [
    [["verify", "--token", "abc"], { token: "abc", activate: true }],
    [["verify", "--token", "  a+b/c=_-  \n"], { token: "a+b/c=_-", activate: true }],
    [["verify", "--token", "MiXeD case", "--no-activate"], { token: "MiXeD case", activate: false }],
    [["verify", "--token", " \t "], UsageError],
  ];
  for (const [argv, expected] of table) {
    const { opts } = parseArgv(argv);
    if (expected === UsageError) assert.throws(() => parseVerifyOptions(opts), UsageError);
    else assert.deepEqual(parseVerifyOptions(opts), expected);
  }
  assert.throws(() => parseArgv(["verify"]), CommanderError);
});

test("logs: limits, offsets and filters", () => {
  const table: [string[], ReturnType<typeof parseLogsOptions> | RegExp][] = [
    [["logs"], { limit: undefined, offset: 0, filters: {}, all: false }],
    [["logs", "--limit", "20", "--offset", "40"], { limit: 20, offset: 40, filters: {}, all: false }],
    [
      ["logs", "--event", "certificate_issued", "--status", "failed", "--all"],
      {
        limit: undefined,
        offset: 0,
        filters: { event_name: "certificate_issued", request_status: "failed" },
        all: true,
      },
    ],
    [["logs", "--limit", "1000"], { limit: 1000, offset: 0, filters: {}, all: false }],
    [["logs", "--limit", "0"], /--limit/],
    [["logs", "--limit", "1001"], /--limit/],
    [["logs", "--limit", "2.5"], /--limit/],
    [["logs", "--limit", "ten"], /--limit/],
    [["logs", "--offset=-1"], /--offset/],
    [["logs", "--event", " "], /--event/],
  ];
  for (const [argv, expected] of table) {
    const { opts } = parseArgv(argv);
    if (expected instanceof RegExp) {
      assert.throws(
        () => parseLogsOptions(opts),
        (e) => e instanceof UsageError && expected.test(e.message),
        argv.join(" "),
      );
    } else assert.deepEqual(parseLogsOptions(opts), expected, argv.join(" "));
  }
});

test("status, test and delete options", () => {
  assert.deepEqual(parseStatusOptions(parseArgv(["status"]).opts), { showSecret: false });
  assert.deepEqual(parseStatusOptions(parseArgv(["show", "--show-secret"]).opts), { showSecret: true });
  assert.equal(parseArgv(["show"]).name, "status");

  assert.deepEqual(parseTestOptions(parseArgv(["test"]).opts, real), { url: undefined });
  assert.deepEqual(parseTestOptions(parseArgv(["test", "--url", URL_]).opts, real), { url: URL_ });
  assert.throws(
    () => parseTestOptions(parseArgv(["test", "--url", "http://x.example/"]).opts, sandbox),
    UsageError,
  );

  assert.deepEqual(parseDeleteOptions({ yes: true }, false), { confirmed: true });
  assert.deepEqual(parseDeleteOptions({ yes: false }, true), { confirmed: false });
  assert.throws(
    () => parseDeleteOptions({ yes: false }, false),
    (e) => e instanceof UsageError && /--yes/.test(e.message),
  );
  for (const name of ["challenge", "activate", "deactivate", "delete"])
    assert.equal(parseArgv([name]).name, name);
});

test("every lifecycle command's help has a real example with a full URL or a command line", () => {
  const program = new Command("certwh");
  register(program, async () => {});
  for (const cmd of program.commands) {
    let help = "";
    cmd.configureOutput({ writeOut: (s) => (help += s) });
    cmd.outputHelp();
    assert.match(help, /Examples:\n\s+\$ certwh /, cmd.name());
    if (["create", "update-url", "test"].includes(cmd.name())) {
      assert.match(help, /https:\/\/[a-z.]+\/[a-z0-9/]+/, `${cmd.name()} shows a URL with a path`);
    }
  }
});
