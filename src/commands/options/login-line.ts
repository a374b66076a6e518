// `certwh login` as it must be run for the key to land where this command line looks: the same profile,
// and the instance flags given (login stores them with the key and checks the key against that instance).
// A plain `certwh login` would store the key in profile "default", and `--profile x` would still fail.

import type { GlobalFlags } from "../../config/types.js";
import { shellLine } from "../../util/shell-word.js";

export function loginLine(
  globals: Pick<GlobalFlags, "profile" | "region" | "baseUrl">,
  args: string[] = [],
): string {
  const words = ["certwh"];
  if (globals.profile) words.push("--profile", globals.profile);
  if (globals.region) words.push("--region", globals.region);
  if (globals.baseUrl) words.push("--base-url", globals.baseUrl);
  return shellLine([...words, "login", ...args]);
}
