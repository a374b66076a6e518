// The journal never holds the webhook secret, so a `certwh replay --to` command listen prints names where the
// secret is, as listen itself read it: the app then gets the X-WEBHOOK-KEY it got from listen.

/**
 * Where `certwh replay` finds listen's secret: the flag and value that name it (an absolute --secret-file,
 * so the command works from any folder), or "none" when it exists only in listen's memory (generated
 * without --secret-out).
 */
export type ReplaySecret = { flag: "--secret-env" | "--secret-file"; value: string } | { flag: "none" };

/** The words a replay command adds for the secret ([] when none can be named). */
export function replaySecretWords(secret: ReplaySecret | undefined): string[] {
  return secret && secret.flag !== "none" ? [secret.flag, secret.value] : [];
}

/** The sentence a replay hint adds when replayed events can carry no key ("" otherwise). */
export function noKeyNote(secret: ReplaySecret | undefined): string {
  return secret?.flag === "none"
    ? "The secret listen generated exists only in that session (no --secret-out), so replayed events carry no " +
        "X-WEBHOOK-KEY: an app that checks it refuses them unless you add --secret-env or --secret-file with " +
        "the secret it expects."
    : "";
}
