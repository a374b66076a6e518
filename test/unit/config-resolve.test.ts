// Precedence flag > env > profile > default, as a table over the pure resolver, plus value checks.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { apiKeyFromEnv, resolveFrom, resolveProfileName, toResolved } from "../../src/config/resolve.js";
import { parseTimeoutSeconds } from "../../src/config/settings.js";
import type { StoredConfig } from "../../src/config/store.js";
import type { GlobalFlags } from "../../src/config/types.js";
import { FileError, UsageError } from "../../src/errors.js";

const US = "https://www.digicert.com/services/v2";
const EU = "https://certcentral.digicert.eu/services/v2";
const PATH = "/cfg/certwh/config.json";

function flags(extra: Partial<GlobalFlags> = {}): GlobalFlags {
  return { json: false, color: false, verbose: false, input: true, yes: false, ...extra };
}

const stored: StoredConfig = {
  profiles: {
    default: { region: "eu", request_timeout: 45, api_key: "profile-default-key" },
    sandbox: { base_url: "http://127.0.0.1:9000/services/v2", api_key: "profile-sandbox-key" },
    bare: {},
  },
};

interface Row {
  name: string;
  flags?: Partial<GlobalFlags>;
  env?: NodeJS.ProcessEnv;
  want: {
    profile: string;
    region: "us" | "eu";
    baseUrl: string;
    baseUrlSource: "flag" | "env" | "profile" | "region";
    timeoutMs: number;
    apiKey?: string;
    apiKeySource?: string;
  };
}

const rows: Row[] = [
  {
    name: "profile values when nothing else is set",
    want: {
      profile: "default",
      region: "eu",
      baseUrl: EU,
      baseUrlSource: "region",
      timeoutMs: 45_000,
      apiKey: "profile-default-key",
      apiKeySource: "profile",
    },
  },
  {
    name: "built-in defaults for an empty profile",
    env: { CERTWH_PROFILE: "bare" },
    want: { profile: "bare", region: "us", baseUrl: US, baseUrlSource: "region", timeoutMs: 30_000 },
  },
  {
    name: "a profile that does not exist behaves like an empty one",
    flags: { profile: "nope" },
    want: { profile: "nope", region: "us", baseUrl: US, baseUrlSource: "region", timeoutMs: 30_000 },
  },
  {
    name: "env beats profile",
    env: { CERTWH_REGION: "us", CERTWH_REQUEST_TIMEOUT: "12", CERTWH_API_KEY: "env-certwh-key" },
    want: {
      profile: "default",
      region: "us",
      baseUrl: US,
      baseUrlSource: "region",
      timeoutMs: 12_000,
      apiKey: "env-certwh-key",
      apiKeySource: "CERTWH_API_KEY",
    },
  },
  {
    name: "flag beats env",
    flags: { region: "eu", requestTimeout: "7.5" },
    env: { CERTWH_REGION: "us", CERTWH_REQUEST_TIMEOUT: "12" },
    want: {
      profile: "default",
      region: "eu",
      baseUrl: EU,
      baseUrlSource: "region",
      timeoutMs: 7_500,
      apiKey: "profile-default-key",
      apiKeySource: "profile",
    },
  },
  {
    name: "CERTWH_API_KEY wins over DIGICERT_API_KEY, which wins over the profile",
    env: { CERTWH_API_KEY: "env-certwh-key", DIGICERT_API_KEY: "env-digicert-key" },
    want: {
      profile: "default",
      region: "eu",
      baseUrl: EU,
      baseUrlSource: "region",
      timeoutMs: 45_000,
      apiKey: "env-certwh-key",
      apiKeySource: "CERTWH_API_KEY",
    },
  },
  {
    name: "DIGICERT_API_KEY alone",
    env: { DIGICERT_API_KEY: "env-digicert-key", CERTWH_API_KEY: "" },
    want: {
      profile: "default",
      region: "eu",
      baseUrl: EU,
      baseUrlSource: "region",
      timeoutMs: 45_000,
      apiKey: "env-digicert-key",
      apiKeySource: "DIGICERT_API_KEY",
    },
  },
  {
    name: "--profile beats CERTWH_PROFILE; the profile's base_url beats the default region",
    flags: { profile: "sandbox" },
    env: { CERTWH_PROFILE: "default" },
    want: {
      profile: "sandbox",
      region: "us",
      baseUrl: "http://127.0.0.1:9000/services/v2",
      baseUrlSource: "profile",
      timeoutMs: 30_000,
      apiKey: "profile-sandbox-key",
      apiKeySource: "profile",
    },
  },
  {
    name: "CERTWH_BASE_URL beats the profile's base_url",
    flags: { profile: "sandbox" },
    env: { CERTWH_BASE_URL: "http://localhost:7000/services/v2/" },
    want: {
      profile: "sandbox",
      region: "us",
      baseUrl: "http://localhost:7000/services/v2",
      baseUrlSource: "env",
      timeoutMs: 30_000,
      apiKey: "profile-sandbox-key",
      apiKeySource: "profile",
    },
  },
  {
    name: "--base-url beats CERTWH_BASE_URL and every region",
    flags: { baseUrl: "http://127.0.0.1:1/services/v2", region: "eu" },
    env: { CERTWH_BASE_URL: "http://localhost:7000/services/v2" },
    want: {
      profile: "default",
      region: "eu",
      baseUrl: "http://127.0.0.1:1/services/v2",
      baseUrlSource: "flag",
      timeoutMs: 45_000,
      apiKey: "profile-default-key",
      apiKeySource: "profile",
    },
  },
  {
    name: "the profile's base_url beats --region (a base URL from any level beats any region)",
    flags: { profile: "sandbox", region: "eu" },
    want: {
      profile: "sandbox",
      region: "eu",
      baseUrl: "http://127.0.0.1:9000/services/v2",
      baseUrlSource: "profile",
      timeoutMs: 30_000,
      apiKey: "profile-sandbox-key",
      apiKeySource: "profile",
    },
  },
  {
    name: "the profile's base_url beats CERTWH_REGION",
    flags: { profile: "sandbox" },
    env: { CERTWH_REGION: "eu" },
    want: {
      profile: "sandbox",
      region: "eu",
      baseUrl: "http://127.0.0.1:9000/services/v2",
      baseUrlSource: "profile",
      timeoutMs: 30_000,
      apiKey: "profile-sandbox-key",
      apiKeySource: "profile",
    },
  },
  {
    name: "CERTWH_BASE_URL beats --region",
    flags: { region: "eu" },
    env: { CERTWH_BASE_URL: "http://127.0.0.1:7000/services/v2" },
    want: {
      profile: "default",
      region: "eu",
      baseUrl: "http://127.0.0.1:7000/services/v2",
      baseUrlSource: "env",
      timeoutMs: 45_000,
      apiKey: "profile-default-key",
      apiKeySource: "profile",
    },
  },
  {
    name: "CERTWH_BASE_URL beats CERTWH_REGION and the profile's base_url",
    flags: { profile: "sandbox" },
    env: { CERTWH_REGION: "eu", CERTWH_BASE_URL: "https://proxy.example.com/services/v2" },
    want: {
      profile: "sandbox",
      region: "eu",
      baseUrl: "https://proxy.example.com/services/v2",
      baseUrlSource: "env",
      timeoutMs: 30_000,
      apiKey: "profile-sandbox-key",
      apiKeySource: "profile",
    },
  },
];

describe("precedence: flag > env > profile > default", () => {
  for (const row of rows) {
    test(row.name, () => {
      const got = toResolved(resolveFrom(flags(row.flags), row.env ?? {}, stored, PATH));
      assert.deepEqual(
        {
          profile: got.profile,
          region: got.region,
          baseUrl: got.baseUrl,
          baseUrlSource: got.baseUrlSource,
          timeoutMs: got.requestTimeoutMs,
          apiKey: got.apiKey,
          apiKeySource: got.apiKeySource,
        },
        { apiKey: undefined, apiKeySource: undefined, ...row.want },
      );
      assert.equal(got.configPath, PATH);
    });
  }
});

describe("invalid values are usage errors naming their source", () => {
  const bad: [string, Partial<GlobalFlags>, NodeJS.ProcessEnv, StoredConfig, RegExp][] = [
    ["--region", { region: "asia" }, {}, stored, /--region/],
    ["CERTWH_REGION", {}, { CERTWH_REGION: "mars" }, stored, /CERTWH_REGION/],
    [
      "--base-url over plain http",
      { baseUrl: "http://example.com/services/v2" },
      {},
      stored,
      /--base-url must use https/,
    ],
    [
      "CERTWH_BASE_URL",
      {},
      { CERTWH_BASE_URL: "nope" },
      stored,
      /CERTWH_BASE_URL must be a full https:\/\/ URL, not "nope"\./,
    ],
    ["--request-timeout", { requestTimeout: "0" }, {}, stored, /--request-timeout/],
    ["CERTWH_REQUEST_TIMEOUT", {}, { CERTWH_REQUEST_TIMEOUT: "10s" }, stored, /CERTWH_REQUEST_TIMEOUT/],
    ["--profile", { profile: "../etc" }, {}, stored, /--profile/],
    ["CERTWH_API_KEY with a space", {}, { CERTWH_API_KEY: "abc def ghi" }, stored, /CERTWH_API_KEY/],
    [
      "every problem of the stored profile at once",
      {},
      {},
      {
        profiles: { default: { region: "xx" as "us", base_url: "http://evil.example", request_timeout: -1 } },
      },
      /3 problems[\s\S]*region in profile "default" of \/cfg[\s\S]*base_url[\s\S]*request_timeout/,
    ],
  ];
  for (const [name, f, env, config, message] of bad) {
    test(name, () => {
      assert.throws(
        () => resolveFrom(flags(f), env, config, PATH),
        (err: unknown) => {
          assert.ok(err instanceof UsageError);
          assert.equal(err.exitCode, 2);
          assert.match(err.message, message);
          return true;
        },
      );
    });
  }

  test("the active profile's invalid value is reported even when a flag overrides it", () => {
    // The profile in use is checked even when its bad value would be overridden: the file needs fixing.
    assert.throws(
      () =>
        resolveFrom(flags({ region: "us" }), {}, { profiles: { default: { region: "zz" as "us" } } }, PATH),
      UsageError,
    );
  });

  test("other profiles' problems do not matter", () => {
    const got = resolveFrom(flags(), {}, { profiles: { other: { region: "zz" as "us" } } }, PATH);
    assert.equal(got.region.value, "us");
  });
});

test("a bad value in the active profile is a FileError naming the file and key; the hint fits the key", () => {
  const check = (config: StoredConfig, profile: string | undefined, hint: RegExp, notHint: RegExp) =>
    assert.throws(
      () => resolveFrom(flags({ profile }), {}, config, PATH),
      (err: unknown) => {
        assert.ok(err instanceof FileError);
        assert.equal(err.code, "file");
        assert.equal(err.exitCode, 2);
        assert.equal(err.path, PATH);
        assert.ok(err.message.includes(PATH), err.message);
        assert.match(err.hint ?? "", hint);
        assert.doesNotMatch(err.hint ?? "", notHint);
        return true;
      },
    );
  check(
    { profiles: { default: { region: "mars" as "us" } } },
    undefined,
    /`certwh config set region <value>` or `certwh config unset region`/,
    /login/,
  );
  check({ profiles: { sbx: { api_key: "short" } } }, "sbx", /`certwh --profile sbx login`/, /config set/);
  check(
    { profiles: { default: { api_key: "short", request_timeout: -1 } } },
    undefined,
    /config set request_timeout[\s\S]*`certwh login`/,
    /config set api_key|config set <key>/,
  );
});

test("a region given by flag or env that a base URL overrides is named in one warning sentence", () => {
  const sbx = { profiles: { sbx: { base_url: "http://127.0.0.1:9000/services/v2" } } };
  const ignored = (f: Partial<GlobalFlags>, env: NodeJS.ProcessEnv, config: StoredConfig = sbx) =>
    resolveFrom(flags(f), env, config, PATH).ignoredRegion;
  assert.equal(
    ignored({ profile: "sbx" }, { CERTWH_REGION: "eu" }),
    "CERTWH_REGION=eu is ignored: the base URL http://127.0.0.1:9000/services/v2 (from profile sbx) is used.",
  );
  assert.equal(
    ignored({ region: "eu" }, { CERTWH_BASE_URL: "http://127.0.0.1:7000/services/v2" }),
    "--region eu is ignored: the base URL http://127.0.0.1:7000/services/v2 (from CERTWH_BASE_URL) is used.",
  );
  // A region stored next to a base URL in the same profile, or no base URL at all: nothing to say.
  assert.equal(
    ignored({}, {}, { profiles: { default: { region: "eu", base_url: "http://127.0.0.1:1/x" } } }),
    undefined,
  );
  assert.equal(ignored({ region: "eu" }, {}), undefined);
});

test("a base URL whose path does not end in /services/v2 is named for a warning, from any source", () => {
  const path = (f: Partial<GlobalFlags>, env: NodeJS.ProcessEnv, config: StoredConfig = { profiles: {} }) =>
    resolveFrom(flags(f), env, config, PATH).baseUrlPath;
  assert.equal(
    path({ baseUrl: "https://x.example.com" }, {}),
    "The base URL https://x.example.com (from --base-url) does not end in /services/v2, where CertCentral's API " +
      "is: API calls will likely fail with 404. Did you mean https://x.example.com/services/v2?",
  );
  assert.match(
    path({}, { CERTWH_BASE_URL: "https://proxy.example.com/api/" }) ?? "",
    /proxy\.example\.com\/api \(from CERTWH_BASE_URL\)[^?]*404\.$/,
  );
  assert.match(
    path({}, {}, { profiles: { default: { base_url: "http://127.0.0.1:9000/" } } }) ?? "",
    /\(from profile default\)[\s\S]*Did you mean http:\/\/127\.0\.0\.1:9000\/services\/v2\?/,
  );
  // The sandbox's, a proxy's prefix, a trailing slash, a region: nothing to say.
  assert.equal(path({ baseUrl: "http://127.0.0.1:8443/services/v2" }, {}), undefined);
  assert.equal(path({}, { CERTWH_BASE_URL: "https://proxy.example.com/cc/services/v2/" }), undefined);
  assert.equal(path({ region: "eu" }, {}), undefined);
  assert.equal(path({}, {}), undefined);
});

test("a profile named like an Object.prototype member is just an empty profile", () => {
  const got = resolveFrom(flags({ profile: "constructor" }), {}, { profiles: {} }, PATH);
  assert.equal(got.region.value, "us");
  assert.deepEqual(got.unknownKeys, []);
});

test("unknown keys of the active profile are reported, not fatal", () => {
  const got = resolveFrom(flags(), {}, { profiles: { default: { regoin: "eu" } as never } }, PATH);
  assert.deepEqual(got.unknownKeys, ["regoin"]);
});

test("profile name and env key helpers", () => {
  assert.deepEqual(resolveProfileName({}, {}), { value: "default", source: "default", origin: "default" });
  assert.equal(resolveProfileName({}, { CERTWH_PROFILE: "ci" }).value, "ci");
  assert.equal(resolveProfileName({ profile: "eu.prod" }, { CERTWH_PROFILE: "ci" }).value, "eu.prod");
  // An empty CERTWH_PROFILE is unset, as every CERTWH_* variable; an empty --profile is refused.
  for (const empty of ["", "  "]) {
    assert.deepEqual(resolveProfileName({}, { CERTWH_PROFILE: empty }), {
      value: "default",
      source: "default",
      origin: "default",
    });
    assert.throws(
      () => resolveProfileName({ profile: empty }, { CERTWH_PROFILE: "ci" }),
      (err: unknown) => {
        assert.ok(err instanceof UsageError);
        assert.equal(err.code, "usage");
        assert.match(err.message, /^--profile is empty/);
        return true;
      },
    );
  }
  assert.equal(apiKeyFromEnv({ CERTWH_API_KEY: "  " }), undefined);
  assert.deepEqual(apiKeyFromEnv({ DIGICERT_API_KEY: " dk-12345678 \n" }), {
    key: "dk-12345678",
    origin: "DIGICERT_API_KEY",
  });
});

test("an empty --region, --base-url or --request-timeout is refused, not quietly left out", () => {
  const stored: StoredConfig = { profiles: { default: { base_url: "http://127.0.0.1:9/services/v2" } } };
  for (const flag of ["region", "baseUrl", "requestTimeout"] as const) {
    assert.throws(
      () => resolveFrom(flags({ [flag]: "" }), {}, stored, PATH),
      (err: unknown) => {
        assert.ok(err instanceof UsageError);
        assert.equal(err.code, "usage");
        assert.match(
          err.message,
          /^--(region|base-url|request-timeout) is empty: give a value, or leave --\S+ out\.$/,
        );
        return true;
      },
      flag,
    );
  }
});

test("timeouts: seconds with decimals, bounded", () => {
  assert.equal(parseTimeoutSeconds("30", "x"), 30);
  assert.equal(parseTimeoutSeconds("1.25", "x"), 1.25);
  assert.equal(parseTimeoutSeconds(1, "x"), 1);
  assert.equal(parseTimeoutSeconds(90, "x"), 90);
  for (const bad of ["", "-1", "0", "0.001", "0.5", "0.999", "1e3", "abc", "3601", "30s"])
    assert.throws(() => parseTimeoutSeconds(bad, "x"), UsageError, bad);
});
