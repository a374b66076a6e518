// certwh login: store an API key for the profile. The key comes from a hidden prompt or from stdin
// (--with-key), never from argv. By default it is checked first with GET /webhook (400
// webhook_invalid_account also proves the key works); a refused key is not stored.
// --base-url / --region given to login are stored with the key (flags only, not the environment), so the
// profile reaches the instance the key was checked against on its own afterwards.

import { checkBaseUrl } from "../api/base-url.js";
import { ApiError } from "../api/errors.js";
import { type PendingChange, resolveProfileName, resolveSettings } from "../config/resolve.js";
import { checkApiKey, parseRegion } from "../config/settings.js";
import { configFilePath, type ProfileSettings, updateProfile } from "../config/store.js";
import { AuthError, UsageError } from "../errors.js";
import { mask, registerSecret } from "../util/redact.js";
import { buildApi, type CommandContext } from "./context.js";
import { loginLine } from "./options/login-line.js";
import type { LoginFlags } from "./specs/config.js";

/** The largest stdin accepted: an API key is far shorter, so anything bigger is a mistake. */
const MAX_STDIN_BYTES = 16 * 1024;

async function readKeyFromStream(stream: NodeJS.ReadableStream & { isTTY?: boolean }): Promise<string> {
  if (stream.isTTY) {
    throw new UsageError("--with-key reads the API key from stdin, but stdin is a terminal.", {
      hint: "Pipe it in: certwh login --with-key < key.txt (or run `certwh login` to be prompted).",
    });
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buf = typeof chunk === "string" ? Buffer.from(chunk) : Buffer.from(chunk as Uint8Array);
    size += buf.length;
    if (size > MAX_STDIN_BYTES)
      throw new UsageError("stdin holds more than 16 KiB; expected just an API key.");
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** The same login, without the check: the user's own profile and instance flags, and the key's source. */
function noCheckCommand(ctx: CommandContext, withKey: boolean): string {
  const line = loginLine(ctx.globals, [...(withKey ? ["--with-key"] : []), "--no-check"]);
  return `\`${line}\`${withKey ? " (with the key on stdin again)" : ""}`;
}

async function checkKey(
  key: string,
  ctx: CommandContext,
  withKey: boolean,
  pending: PendingChange,
): Promise<void> {
  // The instance the profile will have once stored (--region alone drops its base_url), not the old one.
  const settings = await resolveSettings(ctx.globals, ctx.env, ctx.io, {
    profileMayBeNew: true,
    signal: ctx.signal,
    pending,
  });
  const api = await buildApi(ctx, {
    baseUrl: settings.baseUrl,
    apiKey: key,
    timeoutMs: settings.requestTimeoutMs,
  });
  try {
    await api.getWebhook({ signal: ctx.signal });
  } catch (err) {
    if (err instanceof ApiError && (err.status === 401 || err.status === 403)) {
      throw new AuthError(
        `CertCentral refused this API key (HTTP ${err.status}${err.code ? ` ${err.code}` : ""}); nothing was stored.`,
        {
          code: err.code || `http_${err.status}`,
          hint:
            err.status === 403
              ? "The key works but lacks permission: managing webhooks needs an administrator's key, and DigiCert " +
                `must have enabled webhooks on the account. To store it anyway: ${noCheckCommand(ctx, withKey)}.`
              : "Copy the key again from CertCentral (Automation > API Keys).",
        },
      );
    }
    if (!ctx.signal.aborted) {
      ctx.io.warn(`Could not check the key against ${settings.baseUrl}; nothing was stored.`);
      ctx.io.hint(`Store it without checking: ${noCheckCommand(ctx, withKey)}.`);
    }
    throw err;
  }
}

/**
 * The instance flags to store with the key. --region alone also drops a stored base_url, which would
 * otherwise still win over it within the profile.
 */
function instanceFromFlags(globals: { baseUrl?: string; region?: string }): {
  set: Pick<ProfileSettings, "base_url" | "region">;
  dropBaseUrl: boolean;
} {
  const set: Pick<ProfileSettings, "base_url" | "region"> = {};
  if (globals.baseUrl?.trim()) set.base_url = checkBaseUrl(globals.baseUrl, "--base-url");
  if (globals.region?.trim()) set.region = parseRegion(globals.region, "--region");
  return { set, dropBaseUrl: set.region !== undefined && set.base_url === undefined };
}

export async function run(opts: LoginFlags, ctx: CommandContext): Promise<void> {
  const profile = resolveProfileName(ctx.globals, ctx.env).value;
  const instance = instanceFromFlags(ctx.globals);
  const raw = opts.withKey
    ? await readKeyFromStream(process.stdin)
    : await ctx.prompt.password("CertCentral API key:", "--with-key (and the key on stdin)");
  const key = checkApiKey(raw, opts.withKey ? "The key read from stdin" : "The key");
  registerSecret(key);

  const withInstance = (p: ProfileSettings): ProfileSettings => {
    const next: ProfileSettings = { ...p, ...instance.set };
    if (instance.dropBaseUrl) delete next.base_url;
    return next;
  };
  const check = opts.check !== false;
  if (check) await checkKey(key, ctx, opts.withKey === true, withInstance);

  const path = configFilePath(ctx.env);
  await updateProfile(path, profile, (p) => ({ ...withInstance(p), api_key: key }));

  const stored = [
    instance.set.base_url !== undefined && `base_url ${instance.set.base_url}`,
    instance.set.region !== undefined && `region ${instance.set.region}`,
  ].filter((x): x is string => typeof x === "string");
  ctx.io.done(
    { profile, config_path: path, api_key: mask(key), checked: check, ...instance.set },
    `Stored the API key ${mask(key)}${stored.length > 0 ? ` and ${stored.join(" and ")}` : ""} for profile ` +
      `"${profile}" in ${path}${check ? " (CertCentral accepted it)" : ""}.`,
  );
  const setInEnv = (names: string[]) => names.find((name) => ctx.env[name]?.trim());
  const instanceVar = stored.length === 0 ? setInEnv(["CERTWH_BASE_URL", "CERTWH_REGION"]) : undefined;
  if (instanceVar) {
    ctx.io.hint(
      `${instanceVar} is not stored in the profile; pass --base-url / --region to login to store the instance.`,
    );
  }
  const keyVar = setInEnv(["CERTWH_API_KEY", "DIGICERT_API_KEY"]);
  if (keyVar) ctx.io.warn(`${keyVar} is set in the environment and takes precedence over the stored key.`);
}
