// The settings a profile can hold, how each is parsed from text (flag, env var, `config set`) and checked
// when read back from the file. One table, so `config set`, the resolver and the help agree.

import { checkBaseUrl } from "../api/base-url.js";
import { FileError, UsageError } from "../errors.js";
import { parseTimeoutSeconds } from "./request-timeout.js";
import { SETTING_KEYS, type SettingKey } from "./setting-keys.js";
import type { ProfileSettings } from "./store.js";
import type { Region } from "./types.js";

export { parseTimeoutSeconds } from "./request-timeout.js";
export { SETTING_KEYS, type SettingKey } from "./setting-keys.js";

function isSettingKey(key: string): key is SettingKey {
  return (SETTING_KEYS as readonly string[]).includes(key);
}

export function settingKeyOrThrow(key: string): SettingKey {
  if (isSettingKey(key)) return key;
  throw new UsageError(`Unknown setting "${key}". Known settings: ${SETTING_KEYS.join(", ")}.`);
}

export function parseRegion(raw: string, from: string): Region {
  const value = raw.trim().toLowerCase();
  if (value === "us" || value === "eu") return value;
  throw new UsageError(`${from} must be "us" or "eu", not ${JSON.stringify(raw)}.`);
}

/** Where CertCentral's Services API lives under every instance, sandbox and proxy. */
const SERVICES_PATH = "/services/v2";

/**
 * A sentence when `baseUrl` (checked, no trailing slash) does not end in /services/v2: a bare host is
 * accepted, but then every call goes to a path CertCentral does not serve (404). Undefined when it does.
 */
export function baseUrlPathProblem(baseUrl: string, from: string): string | undefined {
  const url = URL.parse(baseUrl);
  if (!url || url.pathname.replace(/\/+$/, "").endsWith(SERVICES_PATH)) return undefined;
  const bare = url.pathname === "/" || url.pathname === "";
  return (
    `The base URL ${baseUrl} (from ${from}) does not end in ${SERVICES_PATH}, where CertCentral's API is: ` +
    `API calls will likely fail with 404${bare ? `. Did you mean ${url.origin}${SERVICES_PATH}?` : "."}`
  );
}

export function validateProfileName(name: string, from: string): string {
  if (/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name)) return name;
  throw new UsageError(
    `${from} must be 1–64 letters, digits, ".", "_" or "-" (starting with a letter or digit), not ${JSON.stringify(name)}.`,
  );
}

/** How many characters an API key may have (README: "8 to 512 printable ASCII characters"). */
export const API_KEY_LENGTH = { min: 8, max: 512 } as const;

/** Checks an API key's shape without ever echoing it. */
export function checkApiKey(raw: string, from: string): string {
  const key = raw.trim();
  if (key === "") throw new UsageError(`${from} is empty.`);
  if (!/^[\x21-\x7e]+$/.test(key)) {
    throw new UsageError(
      `${from} contains spaces, line breaks or non-ASCII characters; it is not an API key.`,
    );
  }
  if (key.length < API_KEY_LENGTH.min || key.length > API_KEY_LENGTH.max) {
    throw new UsageError(
      `${from} has ${key.length} character${key.length === 1 ? "" : "s"}; an API key has ${API_KEY_LENGTH.min} to ${API_KEY_LENGTH.max}.`,
    );
  }
  return key;
}

function asString(value: unknown, from: string): string {
  if (typeof value !== "string") throw new UsageError(`${from} must be a string.`);
  return value;
}

/** How each setting read back from the file is checked; `from` names the key and the profile. */
const STORED_CHECKS: Record<SettingKey, (value: unknown, from: string) => unknown> = {
  region: (value, from) => parseRegion(String(value), from),
  base_url: (value, from) => checkBaseUrl(asString(value, from), from),
  request_timeout: (value, from) => {
    if (typeof value !== "number" && typeof value !== "string") {
      throw new UsageError(`${from} must be a number of seconds.`);
    }
    return parseTimeoutSeconds(value, from);
  },
  api_key: (value, from) => checkApiKey(asString(value, from), from),
};

/** `certwh` with the profile flag a command needs to act on `profile` (none for "default"). */
function certwhFor(profile: string): string {
  return profile === "default" ? "certwh" : `certwh --profile ${profile}`;
}

/**
 * Check what the file holds for one profile: every problem at once, so a hand-edited file is fixed in
 * one go. A bad value is a problem of the file (FileError: exit 2, code "file"), naming the file, the
 * profile and the key, never the value of an API key. Unknown keys are returned (for a warning), not
 * rejected.
 */
export function checkStoredProfile(
  profile: ProfileSettings,
  { name, path }: { name: string; path: string },
): { settings: ProfileSettings; unknownKeys: string[] } {
  const where = `profile "${name}" of ${path}`;
  const problems: string[] = [];
  const badKeys: SettingKey[] = [];
  const settings: Record<string, unknown> = {};
  const raw = profile as Record<string, unknown>;
  for (const key of SETTING_KEYS) {
    if (raw[key] === undefined) continue;
    try {
      settings[key] = STORED_CHECKS[key](raw[key], `${key} in ${where}`);
    } catch (err) {
      problems.push(err instanceof Error ? err.message : String(err));
      badKeys.push(key);
    }
  }
  if (problems.length > 0) {
    const cmd = certwhFor(name);
    const fixes: string[] = [];
    const others = badKeys.filter((k) => k !== "api_key");
    if (others.length > 0) {
      const keys = others.length === 1 ? others[0]! : "<key>";
      fixes.push(`\`${cmd} config set ${keys} <value>\` or \`${cmd} config unset ${keys}\``);
    }
    // `config set` refuses api_key (argv would keep it in shell history): login stores a new one.
    if (badKeys.includes("api_key")) {
      fixes.push(`\`${cmd} login\` for the API key (or \`${cmd} logout\` to remove it)`);
    }
    throw new FileError(
      problems.length === 1
        ? problems[0]!
        : `The config file has ${problems.length} problems:\n  ${problems.join("\n  ")}`,
      path,
      "EINVAL",
      {
        hint: `Fix ${problems.length === 1 ? "it" : "them"} with ${fixes.join(", and ")}, or edit the file.`,
      },
    );
  }
  const unknownKeys = Object.keys(raw).filter((k) => !isSettingKey(k));
  return { settings: settings as ProfileSettings, unknownKeys };
}
