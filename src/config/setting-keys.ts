// The names of the settings a profile can hold, with their one-line help. Kept apart from settings.ts
// (parsing and checks) so the command table's help loads no more than these strings.

export const SETTING_KEYS = ["region", "base_url", "request_timeout", "api_key"] as const;
export type SettingKey = (typeof SETTING_KEYS)[number];

export const SETTING_DESCRIPTIONS: Record<SettingKey, string> = {
  region: "CertCentral instance: us or eu",
  base_url: "Services API base URL (overrides region), e.g. a sandbox's",
  request_timeout: "timeout of each API request, in seconds",
  api_key: "CertCentral API key (set it with `certwh login`)",
};
