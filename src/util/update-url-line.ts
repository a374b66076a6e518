// The `certwh update-url …` that does what another command could not, with every flag it should carry:
// create's "the account already has a webhook" hint (every flag of create that update-url also takes, as
// given, and the global flags that choose the account), and listen's failed --on-exit restore (what the
// restore would have put back). Secret values never appear: --secret-file and --secret-env name a file and a
// variable, and --generate-secret makes one. Here, below both commands and listen, so both can build it.

import { shellLine } from "./shell-word.js";

/** update-url's flags as commander gives them (create's flags fit: they are a subset). */
export interface UpdateUrlWords {
  url: string;
  event?: string[];
  events?: string;
  secretFile?: string;
  secretEnv?: string;
  generateSecret?: boolean;
  secretOut?: string;
  removeSecret?: boolean;
  chain?: boolean;
  instant?: boolean;
  frequency?: string;
  verify?: boolean;
  wait?: string;
}

/** The global flags that choose the account (and --yes). */
export interface AccountWords {
  profile?: string;
  region?: string;
  baseUrl?: string;
  yes?: boolean;
}

/** `--name` / `--no-name` for a switch given either way; nothing when it was not given. */
const onOff = (name: string, value: boolean | undefined): string[] =>
  value === undefined ? [] : [value ? `--${name}` : `--no-${name}`];

const valued = (name: string, value: string | undefined): string[] =>
  value === undefined ? [] : [`--${name}`, value];

/** The update-url command line, shell-quoted, for these flags. */
export function updateUrlLine(raw: UpdateUrlWords, globals: AccountWords = {}): string {
  return shellLine([
    "certwh",
    "update-url",
    "--url",
    raw.url,
    ...(raw.event ?? []).flatMap((name) => ["--event", name]),
    ...valued("events", raw.events),
    ...valued("secret-file", raw.secretFile),
    ...valued("secret-env", raw.secretEnv),
    ...(raw.generateSecret ? ["--generate-secret"] : []),
    ...valued("secret-out", raw.secretOut),
    ...(raw.removeSecret ? ["--remove-secret"] : []),
    ...onOff("chain", raw.chain),
    ...onOff("instant", raw.instant),
    ...valued("frequency", raw.frequency),
    ...(raw.verify === false ? ["--no-verify"] : []),
    ...valued("wait", raw.wait),
    // The account: the same profile, region and base URL as the command that printed it.
    ...valued("profile", globals.profile),
    ...valued("region", globals.region),
    ...valued("base-url", globals.baseUrl),
    // An existing --secret-out file was agreed to be replaced.
    ...(globals.yes && raw.secretOut !== undefined ? ["--yes"] : []),
  ]);
}
