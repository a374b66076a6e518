// argv → the program that ships → parse…Options, as tables, for every lifecycle command (no command runs).
import assert from "node:assert/strict";
import { test } from "node:test";
import { buildProgram } from "../../src/cli/program.js";
import { parseCreateOptions } from "../../src/commands/create.js";
import { parseDeleteOptions } from "../../src/commands/delete.js";
import { parseLogsOptions } from "../../src/commands/logs.js";
import { parseStatusOptions } from "../../src/commands/status.js";
import { parseTestOptions } from "../../src/commands/test.js";
import { parseUpdateUrlOptions } from "../../src/commands/update-url.js";
import { parseVerifyOptions } from "../../src/commands/verify.js";
import { UsageError } from "../../src/errors.js";
import { flagsOf, parseArgv, usageError } from "./argv-support.js";

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
    const parsed = parseCreateOptions(flagsOf("create", argv), real);
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
    const flags = flagsOf("create", argv);
    assert.throws(() => parseCreateOptions(flags, policy), UsageError, argv.join(" "));
  }
  assert.equal(
    parseCreateOptions(flagsOf("create", ["create", "--url", "http://127.0.0.1:8080/hook"]), sandbox).url,
    "http://127.0.0.1:8080/hook",
  );
  for (const argv of [["create"], ["create", "--url"], ["create", "--url", URL_, "--remove-secret"]]) {
    usageError(argv);
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
    const parsed = parseUpdateUrlOptions(flagsOf("update-url", argv), real);
    for (const [key, value] of Object.entries(expected)) {
      assert.deepEqual(parsed[key as keyof typeof parsed], value, `${argv.join(" ")}: ${key}`);
    }
  }
  assert.throws(
    () =>
      parseUpdateUrlOptions(
        flagsOf("update-url", ["update-url", "--url", URL_, "--remove-secret", "--secret-env", "X"]),
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
    const opts = flagsOf("verify", argv);
    if (expected === UsageError) assert.throws(() => parseVerifyOptions(opts), UsageError);
    else assert.deepEqual(parseVerifyOptions(opts), expected);
  }
  usageError(["verify"]);
});

test("logs: limits, offsets and filters", () => {
  const table: [string[], ReturnType<typeof parseLogsOptions> | RegExp][] = [
    [["logs"], { limit: 1000, offset: 0, filters: {}, all: false }],
    [["logs", "--limit", "20", "--offset", "40"], { limit: 20, offset: 40, filters: {}, all: false }],
    [
      ["logs", "--event", "certificate_issued", "--status", "failed", "--all"],
      {
        limit: 1000,
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
    [
      ["logs", "--sort", "-request_sent_time, event_name"],
      { limit: 1000, offset: 0, filters: {}, sort: "-request_sent_time,event_name", all: false },
    ],
    [
      ["logs", "--sort", "request_sent_time"],
      { limit: 1000, offset: 0, filters: {}, sort: "request_sent_time", all: false },
    ],
    [["logs", "--sort", ""], /--sort/],
    [["logs", "--sort", "a,,b"], /--sort/],
    [["logs", "--sort", "--x"], /--sort/],
  ];
  for (const [argv, expected] of table) {
    const opts = flagsOf("logs", argv);
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
  assert.deepEqual(parseStatusOptions(flagsOf("status", ["status"])), { showSecret: false });
  assert.deepEqual(parseStatusOptions(flagsOf("status", ["show", "--show-secret"])), { showSecret: true });
  assert.equal(parseArgv(["show"]).name, "status");

  assert.deepEqual(parseTestOptions(flagsOf("test", ["test"]), real), { url: undefined, withSecret: false });
  assert.deepEqual(parseTestOptions(flagsOf("test", ["test", "--url", URL_]), real), {
    url: URL_,
    withSecret: false,
  });
  assert.deepEqual(parseTestOptions(flagsOf("test", ["test", "--url", URL_, "--with-secret"]), real), {
    url: URL_,
    withSecret: true,
  });
  assert.throws(
    () => parseTestOptions(flagsOf("test", ["test", "--url", "http://x.example/"]), sandbox),
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
  const program = buildProgram({ signal: new AbortController().signal }, async () => {});
  const lifecycle = ["status", "create", "update-url", "test", "challenge", "verify", "activate"];
  lifecycle.push("deactivate", "delete", "logs");
  for (const cmd of program.commands.filter((c) => lifecycle.includes(c.name()))) {
    let help = "";
    cmd.configureOutput({ writeOut: (s) => (help += s) });
    cmd.outputHelp();
    assert.match(help, /Examples:\n\s+\$ certwh /, cmd.name());
    if (["create", "update-url", "test"].includes(cmd.name())) {
      assert.match(help, /https:\/\/[a-z.]+\/[a-z0-9/]+/, `${cmd.name()} shows a URL with a path`);
    }
  }
});
