// argv → the program that ships → parseTriggerOptions / parseReplayOptions, as tables: every flag is checked before
// anything is read or sent (no command runs here).
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseReplayOptions } from "../../src/commands/replay.js";
import { parseTriggerOptions } from "../../src/commands/trigger.js";
import { UsageError } from "../../src/errors.js";
import { flagsOf } from "./argv-support.js";

const trigger = (argv: string[]) => parseTriggerOptions(flagsOf("trigger", ["trigger", ...argv]));
const replay = (argv: string[]) => parseReplayOptions(flagsOf("replay", ["replay", ...argv]));

/** Every row parses to options holding (at least) the expected fields. */
function assertParses(parse: (argv: string[]) => object, table: [string[], Record<string, unknown>][]): void {
  for (const [argv, expected] of table) {
    const got = parse(argv) as Record<string, unknown>;
    for (const [key, value] of Object.entries(expected))
      assert.deepEqual(got[key], value, `${argv.join(" ")}: ${key}`);
  }
}

/** Every row is refused with a UsageError whose message matches. */
function assertRefusals(parse: (argv: string[]) => unknown, table: [string[], RegExp][]): void {
  for (const [argv, pattern] of table) {
    assert.throws(
      () => parse(argv),
      (e) => e instanceof UsageError && pattern.test(e.message),
      argv.join(" "),
    );
  }
}

test("trigger: argv → TriggerOptions", () => {
  const to = "http://localhost:3000/webhooks";
  const table: [string[], Record<string, unknown>][] = [
    [
      ["certificate_issued", "--to", to],
      {
        event: "certificate_issued",
        target: { kind: "url", url: new URL(to) },
        secret: { kind: "none" },
        orderId: undefined,
        certificateId: undefined,
        withChain: false,
        timeoutMs: 10_000,
      },
    ],
    [
      ["certificate_issued", "--to", to, "--with-chain", "--timeout", "0.5"],
      { withChain: true, timeoutMs: 500 },
    ],
    // The duration form listen --timeout takes, and (as before) a bare number of seconds.
    [["certificate_issued", "--to", to, "--timeout", "5s"], { timeoutMs: 5000 }],
    [["certificate_issued", "--to", to, "--timeout", "2m"], { timeoutMs: 120_000 }],
    [["certificate_issued", "--to", to, "--timeout", "750ms"], { timeoutMs: 750 }],
    [["certificate_issued", "--to", to, "--timeout", "10"], { timeoutMs: 10_000 }],
    [["order_rejected", "--to", to, "--order-id", "470091052"], { orderId: 470091052 }],
    [["certificate_revoked", "--to", to, "--certificate-id", "7"], { certificateId: 7 }],
    [
      ["certificate_issued", "--to", to, "--secret-env", "WH_SECRET"],
      { secret: { kind: "env", name: "WH_SECRET" } },
    ],
    [
      ["certificate_issued", "--to", to, "--secret-file", "s.txt"],
      { secret: { kind: "file", path: "s.txt" } },
    ],
    [
      ["certificate_issued", "--sandbox-url", "http://127.0.0.1:8443/services/v2"],
      {
        target: { kind: "sandbox", base: new URL("http://127.0.0.1:8443/services/v2") },
        secret: { kind: "none" },
      },
    ],
    [["certificate_issued"], { target: { kind: "discover" }, secret: { kind: "none" } }],
    [
      ["certificate_issued", "--sandbox-url", "https://sandbox.example.com/services/v2"],
      { target: { kind: "sandbox", base: new URL("https://sandbox.example.com/services/v2") } },
    ],
  ];
  assertParses(trigger, table);
});

test("trigger: bad argv → UsageError naming the problem", () => {
  const to = "http://localhost:3000/webhooks";
  const table: [string[], RegExp][] = [
    [["no_such_event", "--to", to], /Unknown event/],
    [["certificate_revokd", "--to", to], /Unknown event "certificate_revokd"/],
    [["certificate_issued", "--to", to, "--sandbox-url", to], /only one of --to/],
    [["order_rejected", "--to", to, "--with-chain"], /only applies to certificate_issued/],
    [["order_rejected", "--to", "ftp://x"], /--to must be an http/],
    [["order_rejected", "--to", "nope"], /--to must be a full http/],
    [["order_rejected", "--to", to, "--order-id", "abc"], /--order-id must be a positive integer/],
    [["order_rejected", "--to", to, "--certificate-id", "0"], /--certificate-id must be a positive integer/],
    [
      ["order_rejected", "--to", to, "--timeout", "0"],
      /^--timeout must be more than zero, not "0": use a number of seconds, or one with ms, s, m or h, e\.g\. 10 or 500ms\.$/,
    ],
    [["order_rejected", "--to", to, "--timeout", "abc"], /^--timeout: invalid duration "abc"/],
    [
      ["order_rejected", "--to", to, "--timeout", "0s"],
      /^--timeout must be more than zero, not "0s": use a number of seconds, or one with ms, s, m or h, e\.g\. 10 or 500ms\.$/,
    ],
    [["order_rejected", "--to", to, "--secret-env", "A", "--secret-file", "f"], /only one of/],
    [["order_rejected", "--to", to, "--secret-env", "not a name"], /not a variable name/],
    [["order_rejected", "--sandbox-url", to, "--secret-env", "A"], /do not apply with --sandbox-url/],
    [["order_rejected", "--secret-env", "A"], /apply only with --to/],
    [["order_rejected", "--sandbox-url", "http://sandbox.example.com/"], /--sandbox-url must use https/],
    [["test_webhook_endpoint"], /Through a sandbox, test_webhook_endpoint is sent by `certwh test`/],
    [["challenge_webhook_endpoint", "--sandbox-url", to], /is sent by `certwh challenge`/],
  ];
  assertRefusals(trigger, table);
});

test("replay: argv → ParsedReplay", () => {
  const to = "http://localhost:3000/webhooks";
  const table: [string[], Record<string, unknown>][] = [
    [
      ["--to", to],
      {
        to,
        journal: undefined,
        events: new Set(),
        ids: [],
        since: undefined,
        limit: undefined,
        secret: { kind: "none" },
        all: false,
      },
    ],
    [["--to", to, "--journal", "j.ndjson"], { journal: "j.ndjson" }],
    [
      ["--to", to, "--event", "certificate_issued", "--event", "order_rejected"],
      { events: new Set(["certificate_issued", "order_rejected"]) },
    ],
    [["--to", to, "--all"], { all: true }],
    [["--to", to, "--id", "ab12", "--id", "cd"], { ids: ["ab12", "cd"] }],
    [["--to", to, "--since", "2026-01-31T09:00:00Z"], { since: Date.parse("2026-01-31T09:00:00Z") }],
    [["--to", to, "--since", "2026-01-31"], { since: Date.parse("2026-01-31T00:00:00Z") }],
    [["--to", to, "--since", "2026-01-31T09:00"], { since: Date.parse("2026-01-31T09:00:00Z") }], // no zone: UTC
    [["--to", to, "--since", "2026-01-31T09:00:00.5+02:00"], { since: Date.parse("2026-01-31T07:00:00.5Z") }],
    [["--to", to, "--limit", "3"], { limit: 3 }],
    [["--to", to, "--secret-env", "HOOK"], { secret: { kind: "env", name: "HOOK" } }],
    [["--to", to, "--secret-file", "s.txt"], { secret: { kind: "file", path: "s.txt" } }],
  ];
  assertParses(replay, table);
});

test("replay: bad argv → UsageError naming the problem", () => {
  const to = "http://localhost:3000/webhooks";
  const table: [string[], RegExp][] = [
    [[], /--to is required/],
    [["--to", to, "--to", "http://localhost:4000/x"], /replay delivers to one --to per run \(got 2\)/],
    [["--to", "ftp://example.com/x"], /--to must be an http/],
    [["--to", "not a url"], /--to must be a full http/],
    [["--to", to, "--since", "yesterday"], /--since is not an ISO 8601 time/],
    // Date.parse takes these, and each would replay the whole journal.
    [["--to", to, "--since", "0"], /--since is not an ISO 8601 time/],
    [["--to", to, "--since", "-1"], /--since is not an ISO 8601 time/],
    [["--to", to, "--since", "2026-02-30"], /--since is not an ISO 8601 time/],
    [["--to", to, "--id", ""], /--id is empty/],
    [["--to", to, "--id", "ab12", "--id", " "], /--id is empty/],
    [["--to", to, "--limit", "0"], /--limit must be a positive integer/],
    [["--to", to, "--limit", "-2"], /--limit must be a positive integer/],
    [["--to", to, "--secret-env", "A", "--secret-file", "B"], /only one of --secret-file, --secret-env/],
    [["--to", to, "--secret-env", "s3cr3t+value/with=padding"], /not a variable name/],
    [["--to", to, "--secret-file", " "], /--secret-file needs a path/],
    [["--to", to, "--event", "certificate_isued"], /Unknown event for --event: "certificate_isued"/],
  ];
  assertRefusals(replay, table);
});
