// certwh config path|list|get|set|unset. `list` and `get` show effective values (flag > env > profile >
// default) with their source; `set` and `unset` change the active profile in the file. The API key is
// always masked and can only be stored with `certwh login` (a value on argv ends up in shell history).

import { checkBaseUrl } from "../api/base-url.js";
import { removeStoredSetting } from "../config/remove-setting.js";
import {
  type DetailedSettings,
  loadSettings,
  resolveFrom,
  resolveProfileName,
  warnIfExposed,
  warnIfUnknownProfile,
} from "../config/resolve.js";
import {
  baseUrlPathProblem,
  parseRegion,
  parseTimeoutSeconds,
  SETTING_KEYS,
  type SettingKey,
  settingKeyOrThrow,
} from "../config/settings.js";
import { configExists, configFilePath, type ProfileSettings, updateProfile } from "../config/store.js";
import { UsageError } from "../errors.js";
import { mask } from "../util/redact.js";
import type { CommandContext } from "./context.js";
import type { ConfigFlags } from "./specs/config.js";

interface Row {
  value: string | number | null;
  source: string;
  origin: string;
  /** Only on region: false when a base URL (from any source) is used instead of the region's. */
  used?: boolean;
}

const row = ({ value, source, origin }: Row): Row => ({ value, source, origin });

/** Why a row's value is not what certwh uses, for people (e.g. the region next to a base URL). */
function unusedNote(key: SettingKey, r: Row, d: DetailedSettings): string | undefined {
  if (key !== "region" || r.used !== false) return undefined;
  return `not used: base_url from ${d.baseUrl.origin} wins`;
}

function rows(d: DetailedSettings): Record<SettingKey, Row> {
  const { baseUrl, apiKey } = d;
  return {
    region: { ...row(d.region), used: baseUrl.kind === "region" },
    base_url: row({
      ...baseUrl,
      origin:
        baseUrl.kind === "region" && baseUrl.source !== "default"
          ? `region from ${baseUrl.origin}`
          : baseUrl.origin,
    }),
    request_timeout: row(d.requestTimeoutSeconds),
    api_key: apiKey
      ? row({
          value: mask(apiKey.value),
          source: apiKey.source,
          origin: apiKey.source === "profile" ? `profile ${d.profile.value}` : apiKey.origin,
        })
      : { value: null, source: "none", origin: "not set" },
  };
}

async function list(ctx: CommandContext): Promise<void> {
  const { detailed, stored } = await loadSettings(ctx.globals, ctx.env, ctx.io, ctx.signal);
  warnIfUnknownProfile(detailed, stored, ctx.io);
  const settings = rows(detailed);
  const others = detailed.profiles.filter((p) => p !== detailed.profile.value);
  const width = Math.max(...SETTING_KEYS.map((k) => String(settings[k].value ?? "(not set)").length));
  ctx.io.result(
    {
      config_path: detailed.configPath,
      profile: detailed.profile.value,
      profile_source: detailed.profile.origin,
      profiles: detailed.profiles,
      settings,
    },
    [
      `profile          ${detailed.profile.value} (${detailed.profile.origin})`,
      `config file      ${detailed.configPath}`,
      ...SETTING_KEYS.map((k) => {
        const note = unusedNote(k, settings[k], detailed);
        const origin = `${settings[k].origin}${note ? ` (${note})` : ""}`;
        return `${k.padEnd(16)} ${String(settings[k].value ?? "(not set)").padEnd(width)}  ${origin}`;
      }),
      ...(others.length > 0 ? [`other profiles   ${others.join(", ")}`] : []),
    ],
  );
}

async function get(key: SettingKey, ctx: CommandContext): Promise<void> {
  const { detailed, stored } = await loadSettings(ctx.globals, ctx.env, ctx.io, ctx.signal);
  warnIfUnknownProfile(detailed, stored, ctx.io);
  const row = rows(detailed)[key];
  if (ctx.io.json) return ctx.io.writeJson({ key, ...row });
  if (row.value === null) return ctx.io.info(`${key} is not set (set it with \`certwh login\`).`);
  ctx.io.print(String(row.value));
  const note = unusedNote(key, row, detailed);
  ctx.io.hint(`from ${row.origin}${note ? `; ${note}` : ""}`);
}

/** Parse a value typed on the command line into what the file stores. */
function parseValue(key: SettingKey, value: string): ProfileSettings {
  switch (key) {
    case "region":
      return { region: parseRegion(value, "region") };
    case "base_url":
      return { base_url: checkBaseUrl(value, "base_url") };
    case "request_timeout":
      return { request_timeout: parseTimeoutSeconds(value, "request_timeout") };
    case "api_key":
      throw new UsageError(
        "The API key cannot be set on the command line (it would stay in your shell history).",
        {
          hint: "Run `certwh login` (hidden prompt) or `certwh login --with-key < key.txt`.",
        },
      );
  }
}

/** Which higher-precedence source hides the profile's value of `key`, if any. */
function overriddenBy(key: SettingKey, d: DetailedSettings): string | undefined {
  const aboveProfile = (s: { source: string }) => s.source === "flag" || s.source === "env";
  if (key === "region") {
    // A base URL from any source wins over every region.
    if (d.baseUrl.kind !== "region") return `base_url from ${d.baseUrl.origin}`;
    if (aboveProfile(d.region)) return d.region.origin;
  }
  if (key === "base_url" && aboveProfile(d.baseUrl)) return d.baseUrl.origin;
  if (key === "request_timeout" && aboveProfile(d.requestTimeoutSeconds))
    return d.requestTimeoutSeconds.origin;
  if (key === "api_key" && d.apiKey?.source === "env") return d.apiKey.origin;
  return undefined;
}

async function set(key: SettingKey, value: string, ctx: CommandContext): Promise<void> {
  const change = parseValue(key, value);
  const profile = resolveProfileName(ctx.globals, ctx.env).value;
  const path = configFilePath(ctx.env);
  warnIfExposed(path, ctx.io);
  const saved = await updateProfile(path, profile, (p) => ({ ...p, ...change }));
  const stored = change[key as keyof ProfileSettings] ?? null;
  ctx.io.done(
    { profile, key, value: stored, config_path: path },
    `Set ${key} = ${stored} in profile "${profile}".`,
  );
  // Said now, not only on the next command that uses it.
  const pathProblem = key === "base_url" && baseUrlPathProblem(String(stored), `profile ${profile}`);
  if (pathProblem) ctx.io.warn(pathProblem);
  warnIfHidden(key, profile, saved, path, ctx);
}

async function unset(key: SettingKey, ctx: CommandContext): Promise<void> {
  const profile = resolveProfileName(ctx.globals, ctx.env).value;
  const { removed, path } = await removeStoredSetting(ctx.env, profile, key, ctx.io);
  ctx.io.done(
    { profile, key, removed, config_path: path },
    removed ? `Removed ${key} from profile "${profile}".` : `${key} was not set in profile "${profile}".`,
  );
}

function warnIfHidden(
  key: SettingKey,
  profile: string,
  saved: ProfileSettings,
  path: string,
  ctx: CommandContext,
) {
  try {
    const d = resolveFrom(ctx.globals, ctx.env, { profiles: { [profile]: saved } }, path);
    const by = overriddenBy(key, d);
    if (by) ctx.io.warn(`${by} takes precedence over the stored ${key} in this run.`);
  } catch {
    // Another stored or environment value is invalid; the next command that uses it will say so.
  }
}

export async function run(opts: ConfigFlags, ctx: CommandContext): Promise<void> {
  switch (opts.action) {
    case "path": {
      const path = configFilePath(ctx.env);
      ctx.io.result({ config_path: path, exists: configExists(path) }, path);
      return;
    }
    case "list":
      return list(ctx);
    case "get":
      return get(settingKeyOrThrow(opts.key), ctx);
    case "set":
      return set(settingKeyOrThrow(opts.key), opts.value, ctx);
    case "unset":
      return unset(settingKeyOrThrow(opts.key), ctx);
  }
}
