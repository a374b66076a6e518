// login, logout and config with its subcommands: flags and help only (src/cli/program.ts attaches the
// actions).

import { SETTING_DESCRIPTIONS, SETTING_KEYS } from "../../config/setting-keys.js";
import type { Command, FlagsOf } from "./commander.js";

/** "a, b, c or d" */
function orList(keys: readonly string[]): string {
  return `${keys.slice(0, -1).join(", ")} or ${keys.at(-1)}`;
}

/** One line per setting, from the table in config/settings.ts, so the help and `config set` agree. */
const SETTINGS_HELP = SETTING_KEYS.map((k) => `  ${k.padEnd(16)}${SETTING_DESCRIPTIONS[k]}`).join("\n");
const SETTABLE_KEYS = SETTING_KEYS.filter((k) => k !== "api_key");

export const loginCommand = (parent: Command) =>
  parent
    .command("login")
    .description("Store a CertCentral API key for the profile (hidden prompt, or stdin with --with-key)")
    .option("--with-key", "read the API key from stdin instead of prompting (for scripts)", false)
    .option("--no-check", "store the key without checking it against CertCentral (GET /webhook)")
    .addHelpText(
      "after",
      `
The key is stored in the config file (mode 0600) under the profile chosen with --profile or
CERTWH_PROFILE. CERTWH_API_KEY / DIGICERT_API_KEY, when set, still win over the stored key.
--base-url or --region given to login (flags, not CERTWH_BASE_URL/CERTWH_REGION) are stored in the
profile with the key, so the profile keeps reaching the instance the key was checked against.

Examples:
  $ certwh login
  $ certwh login --with-key < ~/secrets/certcentral-api-key.txt
  $ printf '%s' "$DIGICERT_KEY" | certwh --profile eu-prod --region eu login --with-key`,
    );
export type LoginFlags = FlagsOf<typeof loginCommand>;

export const logoutCommand = (parent: Command) =>
  parent
    .command("logout")
    .description("Remove the stored API key of the profile")
    .addHelpText("after", "\nExamples:\n  $ certwh logout\n  $ certwh --profile eu-prod logout");
export type LogoutFlags = FlagsOf<typeof logoutCommand>;

export const configCommand = (parent: Command) =>
  parent
    .command("config")
    .description("Show or change stored settings: path, list, get, set, unset")
    .addHelpText(
      "after",
      `
Settings:
${SETTINGS_HELP}
Precedence: flag > environment variable > profile > built-in default.

Examples:
  $ certwh config list
  $ certwh --profile eu-prod config set region eu
  $ certwh config set base_url http://127.0.0.1:8443/services/v2`,
    );

export const configPathCommand = (config: Command) =>
  config
    .command("path")
    .description("Print the config file's path")
    .addHelpText(
      "after",
      "\nExamples:\n  $ certwh config path\n  $ XDG_CONFIG_HOME=/tmp/cfg certwh config path",
    );

export const configListCommand = (config: Command) =>
  config
    .command("list")
    .description("Show every effective setting of the profile and where it comes from (secrets masked)")
    .addHelpText(
      "after",
      "\nExamples:\n  $ certwh config list\n  $ certwh --profile eu-prod config list --json",
    );

export const configGetCommand = (config: Command) =>
  config
    .command("get")
    .description("Print one effective setting (api_key is masked)")
    .argument("<key>", orList(SETTING_KEYS))
    .addHelpText(
      "after",
      "\nExamples:\n  $ certwh config get base_url\n  $ certwh --profile eu-prod config get region",
    );

export const configSetCommand = (config: Command) =>
  config
    .command("set")
    .description("Store a setting in the profile (not api_key: use `certwh login`)")
    .argument("<key>", orList(SETTABLE_KEYS))
    .argument("<value>", "the new value")
    .addHelpText(
      "after",
      `
Examples:
  $ certwh config set region eu
  $ certwh config set request_timeout 60
  $ certwh --profile sandbox config set base_url http://127.0.0.1:8443/services/v2`,
    );

export const configUnsetCommand = (config: Command) =>
  config
    .command("unset")
    .description("Remove a setting from the profile")
    .argument("<key>", orList(SETTING_KEYS))
    .addHelpText(
      "after",
      "\nExamples:\n  $ certwh config unset base_url\n  $ certwh --profile sandbox config unset api_key",
    );

/** What `config <action>` was asked to do, with its arguments. */
export type ConfigFlags =
  | { action: "path" }
  | { action: "list" }
  | { action: "get"; key: string }
  | { action: "set"; key: string; value: string }
  | { action: "unset"; key: string };
