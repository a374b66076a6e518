// argv → the typed flags each command's run receives, for every command of the program that ships, and
// argv that commander refuses (exit 2) before anything runs. The parse…Options tables of the lifecycle
// commands, trigger and replay are in lifecycle-options and trigger-replay-options; listen's are here.
import assert from "node:assert/strict";
import { test } from "node:test";
import { buildProgram, type CommandName } from "../../src/cli/program.js";
import { parseListenOptions } from "../../src/commands/listen.js";
import { UsageError } from "../../src/errors.js";
import { flagsOf, parseArgv, usageError } from "./argv-support.js";

const URL_ = "https://hooks.example.com/certcentral";

/** argv, the command it runs, and exactly the flags that command's run receives. */
const TABLE: [string[], CommandName, object][] = [
  [["status"], "status", { showSecret: false }],
  [["show", "--show-secret"], "status", { showSecret: true }],
  [["create", "--url", URL_], "create", { url: URL_, verify: true }],
  [
    ["create", "--url", URL_, "--event", "a", "--event", "b", "--events", "c,d", "--generate-secret"],
    "create",
    { url: URL_, verify: true, event: ["a", "b"], events: "c,d", generateSecret: true },
  ],
  [
    ["create", "--url", URL_, "--no-chain", "--instant", "--frequency", "-7", "--no-verify", "--wait", "5m"],
    "create",
    { url: URL_, verify: false, chain: false, instant: true, frequency: "-7", wait: "5m" },
  ],
  [
    ["create", "--url", URL_, "--secret-file", "s", "--secret-env", "E", "--secret-out", "o"],
    "create",
    { url: URL_, verify: true, secretFile: "s", secretEnv: "E", secretOut: "o" },
  ],
  [["update-url", "--url", URL_], "update-url", { url: URL_, verify: true }],
  [
    ["update-url", "--url", URL_, "--remove-secret", "--chain", "--no-instant"],
    "update-url",
    { url: URL_, verify: true, removeSecret: true, chain: true, instant: false },
  ],
  [["test"], "test", {}],
  [["test", "--url", URL_], "test", { url: URL_ }],
  [["test", "--url", URL_, "--with-secret"], "test", { url: URL_, withSecret: true }],
  [["challenge"], "challenge", {}],
  [["verify", "--token", "abc"], "verify", { token: "abc", activate: true }],
  // A token may start with "-": joined to its flag, as main does, so the program does not read it.
  [["verify", "--token", "-Vx_9", "--no-activate"], "verify", { token: "-Vx_9", activate: false }],
  [["activate"], "activate", {}],
  [["deactivate"], "deactivate", {}],
  [["delete"], "delete", {}],
  [["logs"], "logs", { all: false }],
  [
    ["logs", "--limit", "20", "--offset", "40", "--event", "e", "--status", "failed", "--all"],
    "logs",
    { limit: "20", offset: "40", event: "e", status: "failed", all: true },
  ],
  [["logs", "--sort", "request_sent_time"], "logs", { sort: "request_sent_time", all: false }],
  // A descending sort starts with "-": joined to its flag, as main does, so the program does not read it.
  [["logs", "--sort", "-request_sent_time", "--all"], "logs", { sort: "-request_sent_time", all: true }],
  [["event-types"], "event-types", { all: false }],
  [["event-types", "--all"], "event-types", { all: true }],
  [["login"], "login", { withKey: false, check: true }],
  [["login", "--with-key", "--no-check"], "login", { withKey: true, check: false }],
  [["logout"], "logout", {}],
  [["config", "path"], "config", { action: "path" }],
  [["config", "list"], "config", { action: "list" }],
  [["config", "get", "base_url"], "config", { action: "get", key: "base_url" }],
  [["config", "set", "region", "eu"], "config", { action: "set", key: "region", value: "eu" }],
  [["config", "unset", "api_key"], "config", { action: "unset", key: "api_key" }],
  [["sandbox"], "sandbox", { rateLimit: true, delete: true }],
  [
    [
      "sandbox",
      "--port",
      "8443",
      "--api-key",
      "k",
      "--state-file",
      "s.json",
      "--no-rate-limit",
      "--no-delete",
    ],
    "sandbox",
    { port: "8443", apiKey: "k", stateFile: "s.json", rateLimit: false, delete: false },
  ],
  [
    ["sandbox", "--slack-host", "127.0.0.1:4567"],
    "sandbox",
    { rateLimit: true, delete: true, slackHost: "127.0.0.1:4567" },
  ],
  [
    ["sandbox", "--quirks", "numeric-token,text-plain"],
    "sandbox",
    { rateLimit: true, delete: true, quirks: "numeric-token,text-plain" },
  ],
  [["sandbox", "--ui"], "sandbox", { rateLimit: true, delete: true, ui: true }],
  [["listen"], "listen", { ipAllowlist: true, onExit: "deactivate" }],
  [
    ["listen", "--sandbox", "--port", "8080", "--no-journal", "--on-exit", "keep", "--force"],
    "listen",
    { ipAllowlist: true, onExit: "keep", sandbox: true, port: "8080", journal: false, force: true },
  ],
  [
    ["listen", "--public-url", URL_, "--port", "1", "--journal", "j.ndjson", "--no-ip-allowlist"],
    "listen",
    { ipAllowlist: false, onExit: "deactivate", publicUrl: URL_, port: "1", journal: "j.ndjson" },
  ],
  [
    [
      "listen",
      "--event",
      "a",
      "--event",
      "b",
      "--events",
      "c,d",
      "--chain",
      "--no-instant",
      "--frequency",
      "7",
    ],
    "listen",
    {
      ipAllowlist: true,
      onExit: "deactivate",
      event: ["a", "b"],
      events: "c,d",
      chain: true,
      instant: false,
      frequency: "7",
    },
  ],
  [
    ["listen", "--secret-env", "S", "--secret-file", "f", "--generate-secret", "--secret-out", "o"],
    "listen",
    {
      ipAllowlist: true,
      onExit: "deactivate",
      secretEnv: "S",
      secretFile: "f",
      generateSecret: true,
      secretOut: "o",
    },
  ],
  [
    ["listen", "--forward-to", "http://localhost:3000/x", "--exec", "cat", "--save-chain", "certs"],
    "listen",
    {
      ipAllowlist: true,
      onExit: "deactivate",
      forwardTo: ["http://localhost:3000/x"],
      exec: "cat",
      saveChain: "certs",
    },
  ],
  [
    [
      "listen",
      "--forward-to",
      "https://localhost:8443/a",
      "--forward-to",
      "http://127.0.0.1:3000/b",
      "--skip-verify",
      "--host",
      "0.0.0.0",
    ],
    "listen",
    {
      ipAllowlist: true,
      onExit: "deactivate",
      forwardTo: ["https://localhost:8443/a", "http://127.0.0.1:3000/b"],
      skipVerify: true,
      host: "0.0.0.0",
    },
  ],
  [
    ["listen", "--until", "certificate_issued", "--order-id", "5", "--timeout", "30m"],
    "listen",
    { ipAllowlist: true, onExit: "deactivate", until: "certificate_issued", orderId: "5", timeout: "30m" },
  ],
  [
    ["listen", "--tunnel-grace", "1m", "--challenge-timeout", "5m", "--ngrok-domain", "x.ngrok.app"],
    "listen",
    {
      ipAllowlist: true,
      onExit: "deactivate",
      tunnelGrace: "1m",
      challengeTimeout: "5m",
      ngrokDomain: "x.ngrok.app",
    },
  ],
  [
    ["listen", "--public-url-file", "/run/url", "--port", "1"],
    "listen",
    { ipAllowlist: true, onExit: "deactivate", publicUrlFile: "/run/url", port: "1" },
  ],
  [["listen", "--no-inspect"], "listen", { ipAllowlist: true, onExit: "deactivate", inspect: false }],
  [
    ["listen", "--inspect", "--inspect-port", "4040"],
    "listen",
    { ipAllowlist: true, onExit: "deactivate", inspect: true, inspectPort: "4040" },
  ],
  [["replay"], "replay", {}],
  [
    ["replay", "--to", URL_, "--journal", "j", "--event", "a", "--event", "b", "--id", "x", "--since", "s"],
    "replay",
    { to: [URL_], journal: "j", event: ["a", "b"], id: ["x"], since: "s" },
  ],
  [
    ["replay", "--limit", "3", "--all", "--secret-file", "f", "--secret-env", "E"],
    "replay",
    { limit: "3", all: true, secretFile: "f", secretEnv: "E" },
  ],
  [["inspect"], "inspect", {}],
  [["inspect", "--journal", "j", "--port", "4040"], "inspect", { journal: "j", port: "4040" }],
  [
    ["inspect", "--to", URL_, "--secret-file", "f", "--secret-env", "E"],
    "inspect",
    { to: URL_, secretFile: "f", secretEnv: "E" },
  ],
  [
    ["trigger", "certificate_issued"],
    "trigger",
    { event: "certificate_issued", withChain: false, timeout: "10s" },
  ],
  [
    ["trigger", "order_rejected", "--to", URL_, "--order-id", "1", "--certificate-id", "2", "--timeout", "3"],
    "trigger",
    { event: "order_rejected", to: URL_, orderId: "1", certificateId: "2", withChain: false, timeout: "3" },
  ],
  [
    [
      "trigger",
      "certificate_issued",
      "--sandbox-url",
      "u",
      "--secret-file",
      "f",
      "--secret-env",
      "E",
      "--with-chain",
    ],
    "trigger",
    {
      event: "certificate_issued",
      sandboxUrl: "u",
      secretFile: "f",
      secretEnv: "E",
      withChain: true,
      timeout: "10s",
    },
  ],
];

test("every command: argv → exactly the flags its run receives", () => {
  for (const [argv, name, flags] of TABLE) {
    const call = parseArgv(argv);
    assert.equal(call.name, name, argv.join(" "));
    assert.deepEqual(call.flags, flags, argv.join(" "));
  }
});

test("completion: the shell, and the program whose commands it completes", () => {
  const { shell, program } = flagsOf("completion", ["completion", "fish"]);
  assert.equal(shell, "fish");
  assert.equal(program.name(), "certwh");
  assert.ok(program.commands.some((c) => c.name() === "listen"));
});

test("the tables name every command and config action of the program", () => {
  const program = buildProgram({ signal: new AbortController().signal }, async () => {});
  const tested = new Set(TABLE.map(([argv]) => (argv[0] === "config" ? `config ${argv[1]}` : argv[0])));
  tested.add("completion");
  for (const cmd of program.commands) {
    if (cmd.name() === "config") {
      for (const sub of cmd.commands) assert.ok(tested.has(`config ${sub.name()}`), `config ${sub.name()}`);
    } else assert.ok(tested.has(cmd.name()), cmd.name());
  }
});

test("global flags reach the command, before or after its name", () => {
  const { globals } = parseArgv([
    "--profile",
    "p",
    "--region",
    "eu",
    "--base-url",
    "http://127.0.0.1:1/services/v2",
    "--request-timeout",
    "5",
    "--no-input",
    "--no-color",
    "--verbose",
    "--json",
    "status",
  ]);
  // optsWithGlobals: the command's own flags are in there too; these are the global ones.
  const { showSecret, ...only } = globals as typeof globals & { showSecret?: boolean };
  assert.equal(showSecret, false);
  assert.deepEqual(only, {
    json: true,
    color: false,
    verbose: true,
    input: false,
    yes: false,
    profile: "p",
    region: "eu",
    baseUrl: "http://127.0.0.1:1/services/v2",
    requestTimeout: "5",
  });
  assert.equal(parseArgv(["-y", "delete"]).globals.yes, true);
  assert.equal(parseArgv(["delete", "--yes"]).globals.yes, true);
  assert.equal(parseArgv(["status", "--json"]).globals.json, true);
  const defaults = parseArgv(["logout"]).globals;
  assert.deepEqual(defaults, { json: false, color: true, verbose: false, input: true, yes: false });
});

test("bad argv → commander's usage error (exit 2), for every command", () => {
  const table: [string[], RegExp][] = [
    [["statsu"], /unknown command 'statsu'/],
    [["--region", "xx", "status"], /--region <region>' argument 'xx' is invalid/],
    [["status", "--show"], /unknown option '--show'/],
    [["create"], /required option '--url <https-url>' not specified/],
    [["create", "--url"], /argument missing/],
    [["create", "--url", URL_, "--remove-secret"], /unknown option '--remove-secret'/],
    [["update-url", "--secret-file", "f"], /required option '--url/],
    [["test", "--url"], /argument missing/],
    [["challenge", "now"], /too many arguments/],
    [["verify"], /required option '--token <token>' not specified/],
    // A mistyped required flag is named as the typo, not as the flag that is then missing.
    [["verify", "--tokn", "abc"], /unknown option '--tokn'/],
    [["create", "--ulr", URL_], /unknown option '--ulr'/],
    [["update-url", "--URL", URL_], /unknown option '--URL'/],
    [["activate", "--force"], /unknown option '--force'/],
    [["deactivate", "x"], /too many arguments/],
    [["delete", "--force"], /unknown option '--force'/],
    [["logs", "--limit"], /argument missing/],
    [["logs", "--sort"], /argument missing/],
    [["event-types", "--json-lines"], /unknown option/],
    [["completion"], /missing required argument 'shell'/],
    [["login", "--with-token"], /unknown option '--with-token'/],
    [["logout", "x"], /too many arguments/],
    [["config", "get"], /missing required argument 'key'/],
    [["config", "set", "region"], /missing required argument 'value'/],
    [["config", "unset"], /missing required argument 'key'/],
    [["config", "path", "x"], /too many arguments/],
    [["sandbox", "--port"], /argument missing/],
    [["listen", "--on-exit", "nope"], /Allowed choices are deactivate, restore, keep/],
    [["listen", "--remove-secret"], /unknown option '--remove-secret'/],
    [["listen", "--url", URL_], /unknown option '--url'/],
    [["listen", "--port"], /argument missing/],
    [["replay", "--to"], /argument missing/],
    [["trigger"], /missing required argument 'event'/],
    [["trigger", "certificate_issued", "--timeout"], /argument missing/],
  ];
  // `help <typo>` is refused by main, not by commander: test/e2e/cli-basics.test.ts runs it.
  for (const [argv, message] of table) assert.match(usageError(argv), message, argv.join(" "));
});

test("listen: argv → the checked options, every flag before anything starts", () => {
  const env = { HOME: "/home/u" };
  const listen = (argv: string[]) => parseListenOptions(flagsOf("listen", ["listen", ...argv]), env);
  assert.deepEqual(listen([]), {
    tunnel: { kind: "ngrok", domain: undefined, ipAllowlist: true },
    port: 0,
    events: undefined,
    unknownEvents: [],
    secret: { kind: "none" },
    settings: undefined,
    force: false,
    onExit: "deactivate",
    journalPath: "/home/u/.local/state/certwh/journal.ndjson",
    forwardTo: undefined,
    skipVerify: false,
    host: undefined,
    exec: undefined,
    saveChainDir: undefined,
    tunnelGraceMs: undefined,
    challengeWindowMs: undefined,
    dropRepeats: false,
    inspect: { port: 0 },
  });
  const rows: [string[], Record<string, unknown>][] = [
    [
      ["--sandbox", "--no-journal", "--on-exit", "keep"],
      { tunnel: { kind: "sandbox" }, journalPath: undefined, onExit: "keep" },
    ],
    [["--sandbox"], { journalPath: "/home/u/.local/state/certwh/sandbox-journal.ndjson" }],
    [
      ["--public-url", URL_, "--port", "8080", "--force"],
      { tunnel: { kind: "external", url: URL_ }, port: 8080, force: true },
    ],
    [["--public-url-file", "/run/url", "--port", "1"], { tunnel: { kind: "url-file", path: "/run/url" } }],
    [
      ["--ngrok-domain", "my.ngrok.app", "--no-ip-allowlist"],
      { tunnel: { kind: "ngrok", domain: "my.ngrok.app", ipAllowlist: false } },
    ],
    [
      ["--event", "certificate_issued", "--events", "x_y"],
      { events: ["certificate_issued", "x_y"], unknownEvents: ["x_y"] },
    ],
    [["--secret-env", "HOOK_SECRET"], { secret: { kind: "env", name: "HOOK_SECRET" } }],
    [["--generate-secret", "--secret-out", "s"], { secret: { kind: "generate", outFile: "s" } }],
    [
      ["--save-chain", "certs"],
      {
        saveChainDir: "certs",
        settings: { webhook_send_certificate_chain: "1", webhook_send_instant_issued_certificate_chain: "1" },
      },
    ],
    [
      ["--save-chain", "certs", "--no-chain"],
      {
        settings: { webhook_send_certificate_chain: "0", webhook_send_instant_issued_certificate_chain: "0" },
      },
    ],
    [["--journal", "j.ndjson"], { journalPath: "j.ndjson" }],
    [["--forward-to", "http://localhost:3000/x"], { forwardTo: ["http://localhost:3000/x"] }],
    [
      ["--forward-to", "http://localhost:3000/x", "--forward-to", "http://localhost:4000/y"],
      { forwardTo: ["http://localhost:3000/x", "http://localhost:4000/y"], skipVerify: false },
    ],
    [
      ["--forward-to", "https://127.0.0.1:8443/x", "--forward-to", "http://example.com/y", "--skip-verify"],
      { forwardTo: ["https://127.0.0.1:8443/x", "http://example.com/y"], skipVerify: true },
    ],
    [["--sandbox", "--host", "0.0.0.0"], { host: "0.0.0.0" }],
    [["--host", "[::]"], { host: "::" }],
    [["--public-url", URL_, "--port", "1", "--host", "10.1.2.3"], { host: "10.1.2.3" }],
    [
      ["--until", "certificate_issued", "--order-id", "470091052", "--timeout", "30m"],
      { until: { event: "certificate_issued", orderId: 470091052 }, timeoutMs: 30 * 60_000 },
    ],
    [
      ["--tunnel-grace", "90s", "--challenge-timeout", "5m"],
      { tunnelGraceMs: 90_000, challengeWindowMs: 300_000 },
    ],
    [["--drop-repeats"], { dropRepeats: true }],
    [["--no-inspect"], { inspect: false }],
    [["--inspect-port", "4040"], { inspect: { port: 4040 } }],
    [["--inspect", "--inspect-port", "0"], { inspect: { port: 0 } }],
  ];
  for (const [argv, expected] of rows) {
    const got = listen(argv) as unknown as Record<string, unknown>;
    for (const [key, value] of Object.entries(expected))
      assert.deepEqual(got[key], value, `${argv.join(" ")}: ${key}`);
  }

  const refused: [string[], RegExp][] = [
    [["--sandbox", "--public-url", URL_], /only one of --sandbox, --public-url/],
    [["--public-url", URL_], /--public-url needs --port/],
    [["--public-url-file", "f"], /--public-url-file needs --port/],
    [["--sandbox", "--ngrok-domain", "x.ngrok.app"], /--ngrok-domain only applies to the ngrok tunnel/],
    [["--ngrok-domain", "not a host"], /--ngrok-domain takes a host name/],
    [["--public-url", "https://hooks.slack.com/services/T/B/X", "--port", "1"], /Slack/],
    [["--public-url", "http://hooks.example.com", "--port", "1"], /must start with https/],
    [["--port", "70000"], /--port must be a number/],
    [["--secret-env", "A", "--secret-file", "f"], /only one of/],
    [["--secret-out", "s"], /--generate-secret/],
    [["--frequency", "14"], /frequency/],
    [["--forward-to", "ftp://x"], /--forward-to must be an http/],
    [["--forward-to", "http://u:p@localhost/x"], /user name or password/],
    [
      ["--forward-to", "http://localhost:3000/x", "--forward-to", "http://LOCALHOST:3000/x"],
      /--forward-to http:\/\/localhost:3000\/x is given twice/,
    ],
    [
      Array.from({ length: 9 }, (_, i) => ["--forward-to", `http://localhost:${3000 + i}/`]).flat(),
      /at most 8 times \(got 9\)/,
    ],
    [["--skip-verify"], /--skip-verify only applies to an https:\/\/ --forward-to target/],
    [["--forward-to", "http://localhost:3000/x", "--skip-verify"], /only applies to an https/],
    [
      [
        "--forward-to",
        "https://localhost:8443/x",
        "--forward-to",
        "https://app.example.com/x",
        "--skip-verify",
      ],
      /--skip-verify is refused for https:\/\/app\.example\.com\/x: it is not on this computer/,
    ],
    [["--host", "my-box"], /--host takes an IP address/],
    [
      ["--sandbox", "--host", "10.1.2.3"],
      /--host 10\.1\.2\.3: the sandbox reaches the receiver on 127\.0\.0\.1/,
    ],
    [["--host", "10.1.2.3"], /the ngrok tunnel reaches the receiver/],
    [["--exec", " "], /--exec needs a command/],
    [["--order-id", "5"], /--order-id only applies together with --until/],
    [["--timeout", "5m"], /--timeout only applies together with --until/],
    [["--until", "certificate_isued"], /not a CertCentral event/],
    [["--until", "test_webhook_endpoint"], /cannot fire: it arrives before listen is ready/],
    [["--until", "certificate_issued", "--order-id", "x"], /--order-id must be a positive integer/],
    [["--challenge-timeout", "31m"], /cannot exceed 30m/],
    [["--inspect-port", "70000"], /--inspect-port must be a number from 0 to 65535/],
    [["--inspect-port", "x"], /--inspect-port must be a number/],
    [["--no-inspect", "--inspect-port", "4040"], /--inspect-port only applies when the inspector runs/],
  ];
  for (const [argv, message] of refused) {
    assert.throws(
      () => listen(argv),
      (e) => e instanceof UsageError && message.test(e.message),
      argv.join(" "),
    );
  }
});
