// Removing one stored setting of a profile (config unset, logout). Creates nothing when there is no file.

import { warnIfExposed } from "./resolve.js";
import { configExists, configFilePath, type ProfileSettings, readConfig, updateProfile } from "./store.js";
import type { Warner } from "./types.js";

export async function removeStoredSetting(
  env: NodeJS.ProcessEnv,
  profile: string,
  key: keyof ProfileSettings,
  io: Warner,
): Promise<{ removed: boolean; path: string }> {
  const path = configFilePath(env);
  if (!configExists(path)) return { removed: false, path };
  warnIfExposed(path, io);
  const stored = await readConfig(path);
  if (stored.profiles[profile]?.[key] === undefined) return { removed: false, path };
  await updateProfile(path, profile, (p) => ({ ...p, [key]: undefined }));
  return { removed: true, path };
}
