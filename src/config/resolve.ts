// Precedence for every setting: flag > env > profile > built-in default (for the API key: env > profile;
// there is deliberately no flag). An explicit base URL from any level wins over a region from any level:
// a region only chooses between DigiCert's two instances, and a base URL (a sandbox, a proxy) is the more
// specific choice, so a profile's key never leaves for another instance because a region was set. A region
// given by flag or env that is ignored that way is warned about.

import { checkBaseUrl } from "../api/base-url.js";
import { FileError, UsageError } from "../errors.js";
import { shellLine } from "../util/shell-word.js";
import { checkRequestTimeoutFlag } from "./request-timeout.js";
import {
  baseUrlPathProblem,
  checkApiKey,
  checkStoredProfile,
  parseRegion,
  parseTimeoutSeconds,
  validateProfileName,
} from "./settings.js";
import {
  configExists,
  configFilePath,
  type ProfileSettings,
  permissionProblem,
  readConfig,
  type StoredConfig,
} from "./store.js";
import {
  DEFAULT_REQUEST_TIMEOUT_MS,
  type GlobalFlags,
  REGION_BASE_URLS,
  type Region,
  type ResolvedSettings,
  type Warner,
} from "./types.js";

const DEFAULT_PROFILE = "default";

const SOURCES = ["flag", "env", "profile", "default"] as const;

type SettingSource = (typeof SOURCES)[number];

interface Sourced<T> {
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
  /** A region given by flag or env that a base URL overrides, as a sentence for a warning. */
  ignoredRegion?: string;
  /** The base URL in use does not end in /services/v2, as a sentence for a warning. */
  baseUrlPath?: string;
}

const nonEmpty = (value: string | undefined): string | undefined =>
  value !== undefined && value.trim() !== "" ? value : undefined;

/** One level's raw value for a setting; `raw` is undefined when that level does not set it. */
interface Candidate<R> {
  source: SettingSource;
  origin: string;
  raw: R | undefined;
}

/** The first level that sets the value, parsed; only that level's value is parsed (and may throw). */
function firstOf<R, T>(levels: Candidate<R>[], parse: (raw: R, origin: string) => T): Sourced<T> | undefined {
  const hit = levels.find((level) => level.raw !== undefined);
  return hit && { value: parse(hit.raw as R, hit.origin), source: hit.source, origin: hit.origin };
}

const byDefault = <T>(value: T): Sourced<T> => ({ value, source: "default", origin: "default" });

/** `--base-url ""` (a script's unset variable) is refused: leaving the flag out could send the key elsewhere. */
function refuseEmpty(flag: string, value: string | undefined, hint: string): void {
  if (value !== undefined && value.trim() === "")
    throw new UsageError(`${flag} is empty: give a value, or leave ${flag} out.`, { hint });
}

/**
 * The profile in use. An empty environment variable counts as unset (as every CERTWH_* variable), but an
 * empty `--profile ""` is refused: it is typed on purpose (or a script's unset variable), and quietly using
 * "default" would act on another profile than the one meant.
 */
export function resolveProfileName(
  globals: Pick<GlobalFlags, "profile">,
  env: NodeJS.ProcessEnv,
): Sourced<string> {
  refuseEmpty(
    "--profile",
    globals.profile,
    'Without --profile, CERTWH_PROFILE (when set and not empty) or "default" is used.',
  );
  const levels: Candidate<string>[] = [
    { source: "flag", origin: "--profile", raw: nonEmpty(globals.profile)?.trim() },
    { source: "env", origin: "CERTWH_PROFILE", raw: nonEmpty(env.CERTWH_PROFILE)?.trim() },
  ];
  return firstOf(levels, validateProfileName) ?? byDefault(DEFAULT_PROFILE);
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

/**
 * Pure resolution over an already-read config; throws UsageError on an invalid flag or variable, and
 * FileError (a UsageError with code "file") on an invalid value in the active profile.
 */
export function resolveFrom(
  globals: GlobalFlags,
  env: NodeJS.ProcessEnv,
  stored: StoredConfig,
  configPath: string,
): DetailedSettings {
  refuseEmpty(
    "--region",
    globals.region,
    "Without --region, CERTWH_REGION, the profile's region or us is used.",
  );
  refuseEmpty(
    "--base-url",
    globals.baseUrl,
    "Without --base-url, CERTWH_BASE_URL, the profile's or the region's is used.",
  );
  if (globals.requestTimeout !== undefined) checkRequestTimeoutFlag(globals.requestTimeout);
  const profile = resolveProfileName(globals, env);
  const raw: ProfileSettings = Object.hasOwn(stored.profiles, profile.value)
    ? stored.profiles[profile.value]!
    : {};
  const { settings: saved, unknownKeys } = checkStoredProfile(raw, { name: profile.value, path: configPath });
  const profileOrigin = `profile ${profile.value}`;

  const region =
    firstOf<string, Region>(
      [
        { source: "flag", origin: "--region", raw: nonEmpty(globals.region) },
        { source: "env", origin: "CERTWH_REGION", raw: nonEmpty(env.CERTWH_REGION) },
        { source: "profile", origin: profileOrigin, raw: saved.region },
      ],
      parseRegion,
    ) ?? byDefault("us");

  // An explicit base URL, from whatever level, wins over the region.
  const url = firstOf<string, string>(
    [
      { source: "flag", origin: "--base-url", raw: nonEmpty(globals.baseUrl) },
      { source: "env", origin: "CERTWH_BASE_URL", raw: nonEmpty(env.CERTWH_BASE_URL) },
      { source: "profile", origin: profileOrigin, raw: saved.base_url },
    ],
    checkBaseUrl,
  );
  const baseUrl: DetailedSettings["baseUrl"] = url
    ? { ...url, kind: url.source as "flag" | "env" | "profile" }
    : { ...region, value: REGION_BASE_URLS[region.value], kind: "region" };
  const baseUrlPath = url && baseUrlPathProblem(url.value, url.origin);
  const regionGiven =
    region.source === "flag" ? `--region ${region.value}` : `${region.origin}=${region.value}`;
  const ignoredRegion =
    url && (region.source === "flag" || region.source === "env")
      ? `${regionGiven} is ignored: the base URL ${url.value} (from ${url.origin}) is used.`
      : undefined;

  const requestTimeoutSeconds =
    firstOf<string | number, number>(
      [
        { source: "flag", origin: "--request-timeout", raw: nonEmpty(globals.requestTimeout) },
        { source: "env", origin: "CERTWH_REQUEST_TIMEOUT", raw: nonEmpty(env.CERTWH_REQUEST_TIMEOUT) },
        { source: "profile", origin: profileOrigin, raw: saved.request_timeout },
      ],
      parseTimeoutSeconds,
    ) ?? byDefault(DEFAULT_REQUEST_TIMEOUT_MS / 1000);

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
    ...(ignoredRegion && { ignoredRegion }),
    ...(baseUrlPath && { baseUrlPath }),
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

/** A warning about the settings, given once per process however often they are loaded. */
function warnOnce(text: string, io: Warner): void {
  if (warned.has(text)) return;
  warned.add(text);
  io.warn(text);
}

/** Warn (once per process and path) about a config file others can read. */
export function warnIfExposed(path: string, io: Warner): void {
  if (warned.has(path)) return;
  const problem = permissionProblem(path);
  if (problem) {
    warned.add(path);
    io.warn(problem);
  }
}

/**
 * Whether the run needs nothing from the config file: the key comes from the environment and the
 * instance from a flag or the environment (the profile's request_timeout is then the only loss).
 */
function fileNotNeeded(globals: GlobalFlags, env: NodeJS.ProcessEnv): boolean {
  const instance = [globals.baseUrl, globals.region, env.CERTWH_BASE_URL, env.CERTWH_REGION].some(nonEmpty);
  return instance && apiKeyFromEnv(env) !== undefined;
}

/** A change about to be stored in the active profile (login's instance flags), to resolve as if it were. */
export type PendingChange = (current: ProfileSettings) => ProfileSettings;

function withPending(
  globals: GlobalFlags,
  env: NodeJS.ProcessEnv,
  stored: StoredConfig,
  pending: PendingChange,
): StoredConfig {
  const name = resolveProfileName(globals, env).value;
  const profiles: Record<string, ProfileSettings> = Object.assign(Object.create(null), stored.profiles);
  profiles[name] = pending({ ...(Object.hasOwn(stored.profiles, name) ? stored.profiles[name] : {}) });
  return { profiles };
}

/**
 * Read the file (warning about loose permissions) and resolve everything with its source. A broken file (bad
 * JSON, a bad value in the profile) or one that cannot be read (a folder, no permission, XDG_CONFIG_HOME a
 * file: a FileError) stops the run (exit 2, naming the file), except when nothing from it is needed: then it
 * is ignored with a warning.
 */
export async function loadSettings(
  globals: GlobalFlags,
  env: NodeJS.ProcessEnv,
  io: Warner,
  signal?: AbortSignal,
  pending?: PendingChange,
): Promise<{ detailed: DetailedSettings; stored: StoredConfig; fileIgnored?: boolean }> {
  const path = configFilePath(env);
  warnIfExposed(path, io);
  let stored: StoredConfig;
  let detailed: DetailedSettings;
  let fileIgnored = false;
  try {
    stored = await readConfig(path, signal);
    detailed = resolveFrom(globals, env, pending ? withPending(globals, env, stored, pending) : stored, path);
  } catch (err) {
    if (!(err instanceof UsageError) || !fileNotNeeded(globals, env)) throw err;
    stored = { profiles: Object.create(null) };
    // Throws again if the problem was in a flag or variable rather than in the file.
    detailed = resolveFrom(globals, env, stored, path);
    // A FileError's sentence already names the file.
    const problem =
      err instanceof FileError ? err.message : `Ignoring the config file ${path}: ${err.message}`;
    io.warn(
      `${problem} Nothing from it is needed ` +
        "(the API key and the instance come from the environment or flags), so certwh continues without it.",
    );
    fileIgnored = true;
  }
  if (detailed.ignoredRegion) warnOnce(detailed.ignoredRegion, io);
  if (detailed.baseUrlPath) warnOnce(detailed.baseUrlPath, io);
  if (detailed.unknownKeys.length > 0) {
    io.warn(
      `Ignoring unknown setting${detailed.unknownKeys.length > 1 ? "s" : ""} ${detailed.unknownKeys.join(", ")} in profile "${detailed.profile.value}" of ${path}.`,
    );
  }
  return { detailed, stored, ...(fileIgnored && { fileIgnored }) };
}

export async function resolveSettings(
  globals: GlobalFlags,
  env: NodeJS.ProcessEnv,
  io: Warner,
  // login creates the profile it names, so a profile missing from the file is expected there (everywhere
  // else it is refused); it checks the key against the instance the profile will have once its change is
  // stored (`pending`).
  {
    profileMayBeNew = false,
    signal,
    pending,
  }: { profileMayBeNew?: boolean; signal?: AbortSignal; pending?: PendingChange } = {},
): Promise<ResolvedSettings> {
  const { detailed, stored, fileIgnored } = await loadSettings(globals, env, io, signal, pending);
  // A file that could not be read was skipped with a warning: which profiles it holds is unknown.
  if (!profileMayBeNew && !fileIgnored) refuseUnknownProfile(detailed, stored, globals);
  return toResolved(detailed);
}

/** A profile named by --profile or CERTWH_PROFILE that the file does not hold ("default" always exists). */
function unknownProfile(detailed: DetailedSettings, stored: StoredConfig): string | undefined {
  const { profile } = detailed;
  if (profile.source === "default" || profile.value === DEFAULT_PROFILE) return undefined;
  if (Object.hasOwn(stored.profiles, profile.value)) return undefined;
  const known =
    detailed.profiles.length > 0
      ? `known profiles: ${detailed.profiles.join(", ")}`
      : configExists(detailed.configPath)
        ? "it has no profiles"
        : "no config file exists there yet";
  return `Profile "${profile.value}" (from ${profile.origin}) is not in ${detailed.configPath} (${known})`;
}

/**
 * Such a profile is almost always a typo. Going on would act with the built-in defaults (the US instance)
 * and whatever key the environment holds, perhaps another account's, so it is refused, as aws and gh do.
 * Only the commands that create a profile (login, config set) accept a new name.
 */
export function refuseUnknownProfile(
  detailed: DetailedSettings,
  stored: StoredConfig,
  globals: Pick<GlobalFlags, "region" | "baseUrl"> = {},
): void {
  const problem = unknownProfile(detailed, stored);
  if (!problem) return;
  const { value: name, source } = detailed.profile;
  // login stores the instance flags of its command line with the key, so they belong in the line shown.
  const instance = [
    ...(nonEmpty(globals.region) ? ["--region", globals.region as string] : []),
    ...(nonEmpty(globals.baseUrl) ? ["--base-url", globals.baseUrl as string] : []),
  ];
  const certwh = shellLine(["certwh", "--profile", name]);
  throw new UsageError(`${problem}.`, {
    code: "unknown_profile",
    hint:
      `Create it with \`${shellLine(["certwh", "--profile", name, ...instance, "login"])}\` or ` +
      `\`${certwh} config set <key> <value>\`` +
      (source === "env" ? ", or unset CERTWH_PROFILE." : ", or name a known profile."),
  });
}

/** `config list` and `config get` show what a profile would resolve to, so there it is only a warning. */
export function warnIfUnknownProfile(detailed: DetailedSettings, stored: StoredConfig, io: Warner): void {
  const problem = unknownProfile(detailed, stored);
  if (problem) io.warn(`${problem}; using the environment and built-in defaults.`);
}
