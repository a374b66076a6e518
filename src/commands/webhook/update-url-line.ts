// The `certwh update-url …` that does what a refused `create` was asked to do, for its "the account already
// has a webhook" hint: every flag of create that update-url also takes is carried over as given (events,
// secret source, settings, --no-verify, --wait), and the global flags that choose the account. Secret values
// never appear: --secret-file and --secret-env name a file and a variable, and --generate-secret makes one.

import type { GlobalFlags } from "../../config/types.js";
import { shellLine } from "../../util/shell-word.js";
import type { CreateFlags } from "../specs/lifecycle.js";

/** `--name` / `--no-name` for a switch given either way; nothing when it was not given. */
const onOff = (name: string, value: boolean | undefined): string[] =>
  value === undefined ? [] : [value ? `--${name}` : `--no-${name}`];

const valued = (name: string, value: string | undefined): string[] =>
  value === undefined ? [] : [`--${name}`, value];

/** The update-url command line, shell-quoted, for the flags create was given. */
export function updateUrlLine(raw: CreateFlags, globals: Partial<GlobalFlags> = {}): string {
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
    ...onOff("chain", raw.chain),
    ...onOff("instant", raw.instant),
    ...valued("frequency", raw.frequency),
    ...(raw.verify === false ? ["--no-verify"] : []),
    ...valued("wait", raw.wait),
    // The account: the same profile, region and base URL as the create.
    ...valued("profile", globals.profile),
    ...valued("region", globals.region),
    ...valued("base-url", globals.baseUrl),
    // An existing --secret-out file was agreed to be replaced.
    ...(globals.yes && raw.secretOut !== undefined ? ["--yes"] : []),
  ]);
}
