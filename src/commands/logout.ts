// certwh logout: remove the profile's stored API key. Says so when an environment variable still
// provides a key, since logging out does not change what the next command will use then.

import { removeStoredSetting } from "../config/remove-setting.js";
import { resolveProfileName } from "../config/resolve.js";
import type { CommandContext } from "./context.js";
import type { LogoutFlags } from "./specs/config.js";

export async function run(_flags: LogoutFlags, ctx: CommandContext): Promise<void> {
  const profile = resolveProfileName(ctx.globals, ctx.env).value;
  const { removed, path } = await removeStoredSetting(ctx.env, profile, "api_key", ctx.io);
  const envKey = ["CERTWH_API_KEY", "DIGICERT_API_KEY"].find((name) => ctx.env[name]?.trim());

  ctx.io.done(
    { profile, removed, config_path: path, env_api_key: envKey ?? null },
    removed
      ? `Removed the stored API key of profile "${profile}" from ${path}.`
      : `No API key was stored for profile "${profile}"; nothing to remove.`,
  );
  if (envKey) {
    ctx.io.warn(
      `${envKey} is still set in the environment, so certwh keeps using that key. Unset it to log out fully.`,
    );
  }
}
