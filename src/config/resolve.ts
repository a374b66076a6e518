// Precedence for every setting: flag > env > profile > built-in default (for the API key: env > profile;
// there is deliberately no flag). Within one level an explicit base URL beats a region; across levels the
// higher level wins, so `--region eu` overrides a profile's base_url.

import { checkBaseUrl } from "../api/base-url.js";
import { UsageError } from "../errors.js";
import {
  checkApiKey,
  checkStoredProfile,
  parseRegion,
  parseTimeoutSeconds,
  validateProfileName,
} from "./settings.js";
import {
  configFilePath,
  type ProfileSettings,
  permissionProblem,
  readConfig,
  type StoredConfig,
} from "./store.js";
import type { Warner } from "./types.js";
import {
  DEFAULT_REQUEST_TIMEOUT_MS,
  type GlobalFlags,
  REGION_BASE_URLS,
  type Region,
  type ResolvedSettings,
} from "./types.js";

export const DEFAULT_PROFILE = "default";

export type SettingSource = "flag" | "env" | "profile" | "default";

export interface Sourced<T> {
  value: T;
  source: SettingSource;
  /** The flag, variable or profile it came from, e.g. "--region", "CERTWH_REGION", "profile default". */
  origin: string;
}

/** Every resolved setting with where it came from (for `config list`/`config get`). */
export interface DetailedSettings {
  profile: Sourced<string>;
  region: Sourced<Region>;
  baseUrl: Sourced<string> & { kind: ResolvedSettings["baseUrlSource"] };
  requestTimeoutSeconds: Sourced<number>;
  apiKey?: Sourced<string> & { origin: NonNullable<ResolvedSettings["apiKeySource"]> };
  configPath: string;
  /** Names of the profiles the file holds. */
  profiles: string[];
  /** Keys of the active profile certwh does not know (a typo, or a newer certwh's file). */
  unknownKeys: string[];
}

const nonEmpty = (value: string | undefined): string | undefined =>
  value !== undefined && value.trim() !== "" ? value : undefined;

export function resolveProfileName(
  globals: Pick<GlobalFlags, "profile">,
  env: NodeJS.ProcessEnv,
): Sourced<string> {
  if (nonEmpty(globals.profile)) {
    return {
      value: validateProfileName(globals.profile!.trim(), "--profile"),
      source: "flag",
      origin: "--profile",
    };
  }
  const fromEnv = nonEmpty(env.CERTWH_PROFILE);
  if (fromEnv) {
    return {
      value: validateProfileName(fromEnv.trim(), "CERTWH_PROFILE"),
      source: "env",
      origin: "CERTWH_PROFILE",
    };
  }
  return { value: DEFAULT_PROFILE, source: "default", origin: "default" };
}

/** The API key from the environment, if any: CERTWH_API_KEY wins over DIGICERT_API_KEY. */
export function apiKeyFromEnv(
  env: NodeJS.ProcessEnv,
): { key: string; origin: "CERTWH_API_KEY" | "DIGICERT_API_KEY" } | undefined {
  for (const name of ["CERTWH_API_KEY", "DIGICERT_API_KEY"] as const) {
    const value = nonEmpty(env[name]);
    if (value) return { key: checkApiKey(value, name), origin: name };
  }
  return undefined;
}

interface Level {
  source: SettingSource;
  baseUrl?: { raw: string; origin: string };
  region?: { raw: string; origin: string };
}

/** Pure resolution over an already-read config; throws UsageError on any invalid value. */
export function resolveFrom(
  globals: GlobalFlags,
  env: NodeJS.ProcessEnv,
  stored: StoredConfig,
  configPath: string,
): DetailedSettings {
  const profile = resolveProfileName(globals, env);
  const where = `profile "${profile.value}" of ${configPath}`;
  const raw: ProfileSettings = Object.hasOwn(stored.profiles, profile.value)
    ? stored.profiles[profile.value]!
    : {};
  const { settings: saved, unknownKeys } = checkStoredProfile(raw, where);
  const profileOrigin = `profile ${profile.value}`;

  const levels: Level[] = [
    {
      source: "flag",
      baseUrl: nonEmpty(globals.baseUrl) ? { raw: globals.baseUrl!, origin: "--base-url" } : undefined,
      region: nonEmpty(globals.region) ? { raw: globals.region!, origin: "--region" } : undefined,
    },
    {
      source: "env",
      baseUrl: nonEmpty(env.CERTWH_BASE_URL)
        ? { raw: env.CERTWH_BASE_URL!, origin: "CERTWH_BASE_URL" }
        : undefined,
      region: nonEmpty(env.CERTWH_REGION) ? { raw: env.CERTWH_REGION!, origin: "CERTWH_REGION" } : undefined,
    },
    {
      source: "profile",
      baseUrl: saved.base_url ? { raw: saved.base_url, origin: profileOrigin } : undefined,
      region: saved.region ? { raw: saved.region, origin: profileOrigin } : undefined,
    },
  ];

  let region: Sourced<Region> = { value: "us", source: "default", origin: "default" };
  for (const level of levels) {
    if (level.region) {
      region = {
        value: parseRegion(level.region.raw, level.region.origin),
        source: level.source,
        origin: level.region.origin,
      };
      break;
    }
  }

  let baseUrl: DetailedSettings["baseUrl"] = {
    value: REGION_BASE_URLS[region.value],
    source: "default",
    origin: "default",
    kind: "region",
  };
  for (const level of levels) {
    if (level.baseUrl) {
      baseUrl = {
        value: checkBaseUrl(level.baseUrl.raw, level.baseUrl.origin),
        source: level.source,
        origin: level.baseUrl.origin,
        kind: level.source as "flag" | "env" | "profile",
      };
      break;
    }
    if (level.region) {
      baseUrl = {
        value: REGION_BASE_URLS[region.value],
        source: level.source,
        origin: level.region.origin,
        kind: "region",
      };
      break;
    }
  }

  let requestTimeoutSeconds: Sourced<number> = {
    value: DEFAULT_REQUEST_TIMEOUT_MS / 1000,
    source: "default",
    origin: "default",
  };
  if (nonEmpty(globals.requestTimeout)) {
    requestTimeoutSeconds = {
      value: parseTimeoutSeconds(globals.requestTimeout!, "--request-timeout"),
      source: "flag",
      origin: "--request-timeout",
    };
  } else if (nonEmpty(env.CERTWH_REQUEST_TIMEOUT)) {
    requestTimeoutSeconds = {
      value: parseTimeoutSeconds(env.CERTWH_REQUEST_TIMEOUT!, "CERTWH_REQUEST_TIMEOUT"),
      source: "env",
      origin: "CERTWH_REQUEST_TIMEOUT",
    };
  } else if (saved.request_timeout !== undefined) {
    requestTimeoutSeconds = { value: saved.request_timeout, source: "profile", origin: profileOrigin };
  }

  let apiKey: DetailedSettings["apiKey"];
  const fromEnv = apiKeyFromEnv(env);
  if (fromEnv) apiKey = { value: fromEnv.key, source: "env", origin: fromEnv.origin };
  else if (saved.api_key) apiKey = { value: saved.api_key, source: "profile", origin: "profile" };

  return {
    profile,
    region,
    baseUrl,
    requestTimeoutSeconds,
    apiKey,
    configPath,
    profiles: Object.keys(stored.profiles).sort(),
    unknownKeys,
  };
}

export function toResolved(d: DetailedSettings): ResolvedSettings {
  return {
    profile: d.profile.value,
    apiKey: d.apiKey?.value,
    apiKeySource: d.apiKey?.origin,
    region: d.region.value,
    baseUrl: d.baseUrl.value,
    baseUrlSource: d.baseUrl.kind,
    requestTimeoutMs: Math.max(1, Math.round(d.requestTimeoutSeconds.value * 1000)),
    configPath: d.configPath,
  };
}

const warned = new Set<string>();

/** Warn (once per process and path) about a config file others can read. */
export function warnIfExposed(path: string, io: Warner): void {
  if (warned.has(path)) return;
  const problem = permissionProblem(path);
  if (problem) {
    warned.add(path);
    io.warn(problem);
  }
}

/** Read the file (warning about loose permissions) and resolve everything with its source. */
export async function loadSettings(
  globals: GlobalFlags,
  env: NodeJS.ProcessEnv,
  io: Warner,
): Promise<{ detailed: DetailedSettings; stored: StoredConfig }> {
  const path = configFilePath(env);
  warnIfExposed(path, io);
  const { detailed, stored } = await readAndResolve(globals, env, path, io);
  if (detailed.unknownKeys.length > 0) {
    io.warn(
      `Ignoring unknown setting${detailed.unknownKeys.length > 1 ? "s" : ""} ${detailed.unknownKeys.join(", ")} in profile "${detailed.profile.value}" of ${path}.`,
    );
  }
  return { detailed, stored };
}

/**
 * Whether the run needs nothing from the config file: the key comes from the environment and the
 * instance from a flag or the environment (the profile's request_timeout is then the only loss).
 */
function fileNotNeeded(globals: GlobalFlags, env: NodeJS.ProcessEnv): boolean {
  const instance = [globals.baseUrl, globals.region, env.CERTWH_BASE_URL, env.CERTWH_REGION].some(nonEmpty);
  return instance && apiKeyFromEnv(env) !== undefined;
}

/**
 * Read and resolve. A broken file (bad JSON, a bad value in the profile) stops the run (exit 2, naming the
 * file), except when nothing from it is needed: then it is ignored with a warning.
 */
async function readAndResolve(
  globals: GlobalFlags,
  env: NodeJS.ProcessEnv,
  path: string,
  io: Warner,
): Promise<{ detailed: DetailedSettings; stored: StoredConfig }> {
  let problem: unknown;
  try {
    const stored = await readConfig(path);
    return { detailed: resolveFrom(globals, env, stored, path), stored };
  } catch (err) {
    if (!(err instanceof UsageError) || !fileNotNeeded(globals, env)) throw err;
    problem = err;
  }
  const stored: StoredConfig = { profiles: Object.create(null) };
  // Throws again if the problem was in a flag or variable rather than in the file.
  const detailed = resolveFrom(globals, env, stored, path);
  io.warn(
    `Ignoring the config file ${path}: ${(problem as Error).message} Nothing from it is needed ` +
      "(the API key and the instance come from the environment or flags), so certwh continues without it.",
  );
  return { detailed, stored };
}

export async function resolveSettings(
  globals: GlobalFlags,
  env: NodeJS.ProcessEnv,
  io: Warner,
): Promise<ResolvedSettings> {
  const { detailed, stored } = await loadSettings(globals, env, io);
  warnIfUnknownProfile(detailed, stored, io);
  return toResolved(detailed);
}

/**
 * A profile named by --profile or CERTWH_PROFILE that the file does not hold is almost always a typo;
 * without a word, the only symptom would be "No API key is configured" (or the wrong account's key
 * from the environment).
 */
export function warnIfUnknownProfile(detailed: DetailedSettings, stored: StoredConfig, io: Warner): void {
  const { profile } = detailed;
  if (profile.source === "default" || Object.hasOwn(stored.profiles, profile.value)) return;
  const known =
    detailed.profiles.length > 0 ? `known profiles: ${detailed.profiles.join(", ")}` : "it has none";
  io.warn(
    `Profile "${profile.value}" (from ${profile.origin}) is not in ${detailed.configPath} (${known}); ` +
      "using the environment and built-in defaults.",
  );
}
