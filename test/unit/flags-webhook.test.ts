// Tables for the shared webhook flags: URL policy, events, frequency, settings, secret sources.
import assert from "node:assert/strict";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { resolveSecret, saveGeneratedSecret } from "../../src/commands/options/secret-source.js";
import {
  parseEndpointUrl,
  parseEventFlags,
  parseFrequency,
  parseSecretSource,
  parseSettingFlags,
  type WebhookFlagValues,
} from "../../src/commands/options/webhook-flags.js";
import { UsageError } from "../../src/errors.js";
import { tempDir } from "../helpers/cli.js";

const sandbox = { allowLoopbackHttp: true };
const real = { allowLoopbackHttp: false };

test("parseEndpointUrl: https everywhere, http only on loopback and only against a loopback API", () => {
  const table: [string | undefined, { allowLoopbackHttp: boolean }, string | RegExp][] = [
    ["https://hooks.example.com/certcentral", real, "https://hooks.example.com/certcentral"],
    ["  https://hooks.example.com/x?a=1  ", real, "https://hooks.example.com/x?a=1"],
    ["https://hooks.slack.com/services/T/B/X", real, "https://hooks.slack.com/services/T/B/X"],
    ["http://127.0.0.1:8080/hook", sandbox, "http://127.0.0.1:8080/hook"],
    ["http://localhost:8080/hook", sandbox, "http://localhost:8080/hook"],
    ["http://[::1]:8080/hook", sandbox, "http://[::1]:8080/hook"],
    ["http://127.0.0.1:8080/hook", real, /https:\/\//],
    ["http://hooks.example.com/hook", sandbox, /https:\/\//],
    ["http://10.0.0.1/hook", sandbox, /https:\/\//],
    ["ftp://hooks.example.com/", real, /https:\/\//],
    ["hooks.example.com/hook", real, /^--url must be a full https:\/\/ URL, not "hooks.example.com\/hook"/],
    ["hooks example", real, /^--url must be a full https:\/\/ URL, not "hooks example"\./],
    ["", real, /required/],
    [undefined, real, /required/],
    ["https://u:p@hooks.example.com/", real, /user name or password/],
    ["https://hooks.example.com/x#frag", real, /fragment/],
  ];
  for (const [input, policy, expected] of table) {
    if (typeof expected === "string") assert.equal(parseEndpointUrl(input, policy), expected, String(input));
    else
      assert.throws(
        () => parseEndpointUrl(input, policy),
        (e) => e instanceof UsageError && expected.test(e.message),
      );
  }
});

test("parseEndpointUrl: a URL without its scheme suggests https://, or http:// where a sandbox accepts it", () => {
  const table: [string, { allowLoopbackHttp: boolean }, string, string][] = [
    ["localhost:3000", real, "https://", "https://localhost:3000"],
    ["localhost:3000/hook", sandbox, "http:// or https://", "http://localhost:3000/hook"],
    ["127.0.0.1:8080/hook", sandbox, "http:// or https://", "http://127.0.0.1:8080/hook"],
    ["hooks.example.com/certcentral", sandbox, "https://", "https://hooks.example.com/certcentral"],
  ];
  for (const [input, policy, allowed, meant] of table)
    assert.throws(
      () => parseEndpointUrl(input, policy),
      (e) =>
        e instanceof UsageError &&
        e.message === `--url must be a full ${allowed} URL, not "${input}".` &&
        e.hint === `Did you mean --url ${meant}?`,
      input,
    );
});

test('parseEndpointUrl: a scheme typed without "://" is explained, with https:// suggested where only https goes', () => {
  const written = ' written with "://"';
  const table: [string, { allowLoopbackHttp: boolean }, string, string, string | undefined][] = [
    // Starts with "http:" yet is refused: the message says why, and suggests a URL this flag takes.
    ["http:/x", real, "https://", written, "https://x"],
    ["http:/x", sandbox, "https://", written, "https://x"],
    ["http:/127.0.0.1:8080/hook", sandbox, "http:// or https://", written, "http://127.0.0.1:8080/hook"],
    ["https//x.example/y", real, "https://", written, "https://x.example/y"],
    ["https:x.example/y", real, "https://", written, "https://x.example/y"],
    // A port alone means this machine, so only plain http:// to loopback can be meant.
    [":3000", sandbox, "http:// or https://", "", "http://localhost:3000"],
    [":3000", real, "https://", "", undefined],
    ["::1", sandbox, "http:// or https://", "", "http://[::1]"],
  ];
  for (const [input, policy, allowed, how, meant] of table)
    assert.throws(
      () => parseEndpointUrl(input, policy),
      (e) =>
        e instanceof UsageError &&
        e.message === `--url must be a full ${allowed} URL${how}, not ${JSON.stringify(input)}.` &&
        (meant === undefined
          ? !String(e.hint).startsWith("Did you mean")
          : e.hint === `Did you mean --url ${meant}?`),
      `${input} ${policy.allowLoopbackHttp}`,
    );
});

test("parseEventFlags: repeatable and comma forms merge, de-duplicate, and flag unknown names", () => {
  const table: [
    string[] | undefined,
    string | undefined,
    { events?: string[]; unknown: string[] } | RegExp,
  ][] = [
    [undefined, undefined, { events: undefined, unknown: [] }],
    [[], undefined, { events: undefined, unknown: [] }],
    [["certificate_issued"], undefined, { events: ["certificate_issued"], unknown: [] }],
    [
      undefined,
      "certificate_issued, certificate_revoked",
      { events: ["certificate_issued", "certificate_revoked"], unknown: [] },
    ],
    [
      ["domain_expired"],
      "domain_expired,order_rejected",
      { events: ["domain_expired", "order_rejected"], unknown: [] },
    ],
    [
      ["order_approval_email_sent"],
      undefined,
      { events: ["order_approval_email_sent"], unknown: ["order_approval_email_sent"] },
    ],
    [undefined, "a,,b", /empty/],
    [undefined, "", /empty/],
    [["has space"], undefined, /Not an event name/],
  ];
  for (const [event, events, expected] of table) {
    if (expected instanceof RegExp) {
      assert.throws(
        () => parseEventFlags(event, events),
        (e) => e instanceof UsageError && expected.test(e.message),
      );
    } else assert.deepEqual(parseEventFlags(event, events), expected);
  }
});

test("parseFrequency: only CertCentral's days, de-duplicated, order kept", () => {
  assert.deepEqual(parseFrequency("90,60,30,7,0,-7"), [90, 60, 30, 7, 0, -7]);
  assert.deepEqual(parseFrequency(" 7 , 0,7"), [7, 0]);
  for (const bad of ["", "1", "90,", "seven", "-0x7", "7.0", "-8", "90;60"]) {
    assert.throws(() => parseFrequency(bad), UsageError, bad);
  }
});

test('parseSettingFlags: only flags given, as "1"/"0" strings', () => {
  const table: [WebhookFlagValues, unknown][] = [
    [{}, undefined],
    [
      { chain: true },
      { webhook_send_certificate_chain: "1", webhook_send_instant_issued_certificate_chain: "1" },
    ],
    [
      { chain: false, instant: true },
      {
        webhook_send_certificate_chain: "0",
        webhook_send_instant_issued_certificate_chain: "0",
        instant_issue_webhook_notification: "1",
      },
    ],
    [{ instant: false }, { instant_issue_webhook_notification: "0" }],
    [{ frequency: "30,7" }, { webhook_notification_frequency: [30, 7] }],
  ];
  for (const [raw, expected] of table)
    assert.deepEqual(parseSettingFlags(raw), expected, JSON.stringify(raw));
});

test("parseSecretSource: one source at most, names not values, --secret-out only with --generate-secret", () => {
  const ok: [WebhookFlagValues, boolean, unknown][] = [
    [{}, false, { kind: "none" }],
    [{ secretFile: "/etc/s" }, false, { kind: "file", path: "/etc/s" }],
    [{ secretEnv: "WEBHOOK_SECRET" }, false, { kind: "env", name: "WEBHOOK_SECRET" }],
    [{ generateSecret: true }, false, { kind: "generate", outFile: undefined }],
    [{ generateSecret: true, secretOut: "./s" }, false, { kind: "generate", outFile: "./s" }],
    [{ removeSecret: true }, true, { kind: "remove" }],
  ];
  for (const [raw, allowRemove, expected] of ok)
    assert.deepEqual(parseSecretSource(raw, { allowRemove }), expected);
  const bad: [WebhookFlagValues, boolean, RegExp][] = [
    [{ secretFile: "f", secretEnv: "E" }, false, /only one of --secret-file, --secret-env/],
    [{ generateSecret: true, removeSecret: true }, true, /only one of/],
    [{ removeSecret: true }, false, /update-url/],
    [{ secretOut: "./s" }, false, /--generate-secret/],
    [{ secretEnv: "abc def ghi jkl mno pqr stu vwx yz" }, false, /variable name/],
    [{ secretEnv: "1ABC" }, false, /variable name/],
    [{ secretFile: "  " }, false, /path/],
  ];
  for (const [raw, allowRemove, message] of bad) {
    assert.throws(
      () => parseSecretSource(raw, { allowRemove }),
      (e) => e instanceof UsageError && message.test(e.message),
      JSON.stringify(raw),
    );
  }
});

test("resolveSecret: reads, validates, generates, writes --secret-out 0600 without overwriting", async () => {
  const dir = tempDir();
  const good = "g".repeat(32);
  writeFileSync(join(dir, "good"), `${good}\r\n`);
  writeFileSync(join(dir, "short"), "short\n");
  writeFileSync(join(dir, "tab"), `${"t".repeat(20)}\t${"t".repeat(20)}`);
  assert.deepEqual(await resolveSecret({ kind: "none" }, {}), { generated: false });
  assert.deepEqual(await resolveSecret({ kind: "remove" }, {}), { value: "", generated: false });
  assert.equal((await resolveSecret({ kind: "file", path: join(dir, "good") }, {})).value, good);
  assert.equal((await resolveSecret({ kind: "env", name: "S" }, { S: good })).value, good);
  for (const [source, env] of [
    [{ kind: "file", path: join(dir, "short") }, {}],
    [{ kind: "file", path: join(dir, "tab") }, {}],
    [{ kind: "file", path: join(dir, "missing") }, {}],
    [{ kind: "env", name: "S" }, {}],
    [{ kind: "env", name: "S" }, { S: `${good}\u0007` }],
  ] as const) {
    await assert.rejects(resolveSecret(source, env), UsageError, JSON.stringify(source));
  }
  const generated = await resolveSecret({ kind: "generate" }, {});
  assert.match(generated.value as string, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(generated.generated, true);

  const out = join(dir, "out.secret");
  const written = await resolveSecret({ kind: "generate", outFile: out }, {});
  assert.equal(existsSync(out), false, "written only when saved");
  await saveGeneratedSecret(written);
  assert.equal(readFileSync(out, "utf8"), `${written.value}\n`);
  assert.equal(statSync(out).mode & 0o777, 0o600);
  assert.equal(written.writtenTo, out);
  await assert.rejects(resolveSecret({ kind: "generate", outFile: out }, {}), /already exists/);
  await assert.rejects(saveGeneratedSecret(written), /already exists/);
  assert.equal(readFileSync(out, "utf8"), `${written.value}\n`, "not overwritten");
});

test("X-WEBHOOK-KEY over plain http to another machine is warned about; loopback and https are not", async () => {
  const { warnIfCleartextKey } = await import("../../src/commands/options/flag-warnings.js");
  const warned: string[] = [];
  const io = { warn: (t: string) => void warned.push(t) };
  warnIfCleartextKey(io, "--to", "http://hooks.example.com/x", true);
  warnIfCleartextKey(io, "--to", "http://hooks.example.com/x", false);
  warnIfCleartextKey(io, "--to", "http://127.0.0.1:3000/x", true);
  warnIfCleartextKey(io, "--forward-to", "https://hooks.example.com/x", true);
  assert.equal(warned.length, 1);
  assert.match(warned[0], /--to http:\/\/hooks\.example\.com is plain http: X-WEBHOOK-KEY/);
});
