// The webhook lifecycle commands: status, create, update-url, test, challenge, verify, activate,
// deactivate, delete, logs. Flags and help only (src/cli/program.ts attaches the actions); the code lives
// in src/commands/<name>.ts, whose `run` takes the flags type exported here.

import { type Command, collect, type FlagsOf, Option, type OptionValues } from "./commander.js";

const SECRET_HELP = `
Secrets never go on the command line. --secret-file reads a file (one trailing newline is removed),
--secret-env names an environment variable, --generate-secret makes 32 random bytes (base64url).
A generated secret is shown ONCE: printed alone on stdout (under --json: the "secret" field), since
you need it for your receiver; \`certwh status --show-secret\` shows it again. With --secret-out FILE it
is never printed: certwh writes it to FILE (mode 0600; an existing file is replaced only with --yes or
after you confirm in a terminal) BEFORE anything is sent, so your receiver can read it in time for the
test event. Everywhere else (stderr, errors, --verbose) secrets are masked. A secret needs at least 32 characters and no whitespace or control
characters.`;

const SLACK_HELP = `
Slack: a Slack incoming-webhook URL (https://hooks.slack.com/services/…) is accepted. CertCentral then
posts Slack messages to the channel instead of JSON events, so the verification token shows up there:
paste it when asked, or run \`certwh verify --token <token>\`.`;

/** create's and update-url's events and secret flags (update-url adds --remove-secret after them). */
function addSecretFlags<A extends unknown[], O extends OptionValues, G extends OptionValues>(
  cmd: Command<A, O, G>,
) {
  return cmd
    .option("--event <name>", "subscribe to this event (repeatable; see `certwh event-types`)", collect)
    .option("--events <list>", "comma-separated events, e.g. certificate_issued,certificate_revoked")
    .option("--secret-file <file>", "read the webhook secret (X-WEBHOOK-KEY) from this file")
    .option("--secret-env <var>", "read the webhook secret from this environment variable")
    .option("--generate-secret", "generate a new random secret (see below)")
    .option("--secret-out <file>", "with --generate-secret: write the secret to this file (mode 0600)");
}

/** The webhook settings, then --no-verify and --wait: the flags after the secret ones. */
function addSettingFlags<A extends unknown[], O extends OptionValues, G extends OptionValues>(
  cmd: Command<A, O, G>,
) {
  return cmd
    .option("--chain", "include the certificate chain in certificate_issued events (both chain settings)")
    .option("--no-chain", "do not include the certificate chain")
    .option("--instant", "also send certificate_issued for instantly issued certificates")
    .option("--no-instant", "only send certificate_issued for certificates not issued instantly")
    .option("--frequency <days>", "when to send expiry/revalidation notices, days from 90,60,30,7,0,-7")
    .option("--no-verify", "stop after saving the webhook; do not test, challenge or activate")
    .option(
      "--wait <duration>",
      "after the challenge, wait up to this long (max 30m) for the endpoint to complete it and the webhook to be active (CI)",
    );
}

export const statusCommand = (parent: Command) =>
  parent
    .command("status")
    .alias("show")
    .description("Show the account's webhook: endpoint, status, events, settings, and what to do next")
    .option("--show-secret", "print the secret in full instead of a mask", false)
    .addHelpText(
      "after",
      `
Exit code 5 when the account has no webhook.

Examples:
  $ certwh status
  $ certwh status --json | jq -r .endpoint
  $ certwh status --show-secret`,
    );
export type StatusFlags = FlagsOf<typeof statusCommand>;

export const createCommand = (parent: Command) =>
  addSettingFlags(
    addSecretFlags(
      parent
        .command("create")
        .description("Create the account's webhook, then test, verify and activate it")
        .requiredOption(
          "--url <https-url>",
          "public HTTPS endpoint, e.g. https://hooks.example.com/certcentral",
        ),
    ),
  ).addHelpText(
    "after",
    `
Without --event/--events the webhook subscribes to certificate_issued. Settings are sent only for the
flags given. After creating, certwh sends CertCentral's test event and a challenge token (valid 30
minutes). In a terminal it asks for the token your endpoint received, then verifies and activates.
Without a terminal (CI, --no-input) it prints the next step, \`certwh verify --token <token>\`, and
exits 0 with the webhook pending. With --wait 5m it never asks: your endpoint (e.g. a receiver built
on certwh/receiver) completes the challenge itself, and certwh checks the status every 2 s until the
webhook is active (exit 0) or the time is up (exit 6, the webhook stays pending). An account has at most one webhook: if one exists, create shows it
and exits 3 (use update-url).
${SECRET_HELP}
${SLACK_HELP}

Examples:
  $ certwh create --url https://hooks.example.com/certcentral --generate-secret --secret-out ./webhook.secret
  $ certwh create --url https://hooks.example.com/certcentral --secret-env CERTCENTRAL_WEBHOOK_SECRET \\
      --event certificate_issued --event certificate_revoked --chain --instant
  $ certwh create --url https://hooks.example.com/certcentral --events domain_expired,organization_expired \\
      --frequency 30,7,0 --secret-file /etc/certcentral/secret --no-verify
  $ certwh create --url https://hooks.slack.com/services/T000/B000/XXXXXXXX`,
  );
export type CreateFlags = FlagsOf<typeof createCommand>;

export const updateUrlCommand = (parent: Command) =>
  addSettingFlags(
    addSecretFlags(
      parent
        .command("update-url")
        .description("Point the webhook at a new endpoint, then test, verify and activate it again")
        .requiredOption(
          "--url <https-url>",
          "new public HTTPS endpoint, e.g. https://hooks.example.com/v2/certcentral",
        ),
    ).option("--remove-secret", 'remove the secret (sends secret ""; no X-WEBHOOK-KEY)'),
  ).addHelpText(
    "after",
    `
Events, settings and the secret stay as they are unless given. CertCentral requires a changed endpoint
to be verified again: the webhook is pending until then (same steps as create, --wait included).
After the update certwh reads the status back: a webhook that stayed active (a settings-only change with
the same --url, or CertCentral keeping a re-pointed webhook active) needs no challenge and no token.
${SECRET_HELP}

Examples:
  $ certwh update-url --url https://hooks.example.com/v2/certcentral
  $ certwh update-url --url https://hooks.example.com/v2/certcentral --secret-file ./new.secret
  $ certwh update-url --url https://hooks.example.com/v2/certcentral --wait 5m   # CI
  $ certwh update-url --url https://hooks.example.com/certcentral --events certificate_issued --remove-secret`,
  );
export type UpdateUrlFlags = FlagsOf<typeof updateUrlCommand>;

export const testCommand = (parent: Command) =>
  parent
    .command("test")
    .description("Ask CertCentral to send its test event to the webhook's endpoint (or to --url)")
    .option("--url <https-url>", "test a candidate endpoint before switching to it")
    .option("--with-secret", "send the webhook's secret to a --url on another host too")
    .addHelpText(
      "after",
      `
The webhook's current secret is sent along, so a receiver that checks X-WEBHOOK-KEY accepts the test:
to the endpoint, and to a --url on the same scheme, host and port. A --url anywhere else (a request
bin, another team's server) gets no X-WEBHOOK-KEY unless --with-secret says it is yours.
Exit code 3 (webhook_endpoint_error) when the endpoint did not answer 2xx.

Examples:
  $ certwh test
  $ certwh test --url https://hooks.example.com/v2/certcentral
  $ certwh test --url https://new-host.example.com/certcentral --with-secret`,
    );
export type TestFlags = FlagsOf<typeof testCommand>;

export const challengeCommand = (parent: Command) =>
  parent
    .command("challenge")
    .description("Send a new challenge token to the webhook's endpoint (valid 30 minutes)")
    .addHelpText(
      "after",
      `
The token arrives at the endpoint as {"event":"challenge_webhook_endpoint","data":{"token":…}}.
Only the latest token is valid. Then run \`certwh verify --token <token>\`.

Examples:
  $ certwh challenge
  $ certwh challenge && certwh verify --token "$(jq -r .data.token /var/log/hook/last.json)"`,
    );
export type ChallengeFlags = FlagsOf<typeof challengeCommand>;

export const verifyCommand = (parent: Command) =>
  parent
    .command("verify")
    .description("Submit the challenge token (check-challenge), then activate the webhook")
    .requiredOption("--token <token>", "the token your endpoint received (data.token)")
    .option("--no-activate", "verify only; activate later with `certwh activate`")
    .addHelpText(
      "after",
      `
The token is used as is (surrounding whitespace removed); each token works once, within 30 minutes.
If the webhook is already active and CertCentral refuses the token, verify exits 0 with a note: the
webhook needs no verification.

Examples:
  $ certwh verify --token Zr0w3mB2xQ8aL5pN7cV1dF4gH6jK9sT2
  $ certwh verify --token "$TOKEN" --no-activate --json`,
    );
export type VerifyFlags = FlagsOf<typeof verifyCommand>;

export const activateCommand = (parent: Command) =>
  parent
    .command("activate")
    .description("Activate the webhook (exit 0 if it already is)")
    .addHelpText(
      "after",
      `
Exit code 3 when the endpoint is not verified yet (run \`certwh challenge\` and \`certwh verify\`).
When CertCentral refuses (webhook_invalid_action) or does not answer, certwh reads the webhook back:
if it is active, activate succeeds (exit 0) with a note.

Examples:
  $ certwh activate
  $ certwh activate --json`,
    );
export type ActivateFlags = FlagsOf<typeof activateCommand>;

export const deactivateCommand = (parent: Command) =>
  parent
    .command("deactivate")
    .description("Stop deliveries but keep the configuration (exit 0 if already inactive)")
    .addHelpText(
      "after",
      `
A pending webhook is asked about too: CertCentral deactivates it, or refuses because it sends nothing yet
(a pending webhook receives no events until it is verified and activated); both end in exit 0 with a note,
so \`certwh deactivate\` works in scripts whatever the state. When CertCentral refuses or does not answer,
certwh reads the webhook back: inactive (or still pending) is success. Resume with \`certwh activate\`.

Examples:
  $ certwh deactivate
  $ certwh deactivate --json`,
    );
export type DeactivateFlags = FlagsOf<typeof deactivateCommand>;

export const deleteCommand = (parent: Command) =>
  parent
    .command("delete")
    .description("Delete the webhook, if CertCentral supports it (it is not documented)")
    .addHelpText(
      "after",
      `
Asks for confirmation in a terminal; without one, --yes is required (exit 2 otherwise).
CertCentral documents no delete: when it answers 404/405, certwh says so and exits 3;
\`certwh deactivate\` stops deliveries of an active webhook instead (a pending one receives nothing
until activated), and \`certwh update-url\` points it elsewhere.

Examples:
  $ certwh delete
  $ certwh delete --yes --json`,
    );
export type DeleteFlags = FlagsOf<typeof deleteCommand>;

export const logsCommand = (parent: Command) =>
  parent
    .command("logs")
    .description("Show CertCentral's delivery log for the webhook")
    .option("--limit <n>", "entries per request, 1–1000 (CertCentral's default: 1000)")
    .option("--offset <n>", "skip this many entries")
    .option("--event <name>", "only this event, e.g. certificate_issued")
    .addOption(new Option("--status <status>", "only this delivery status, e.g. success or failed"))
    .option(
      "--sort <fields>",
      "sort by these fields, comma-separated; a leading - sorts descending, e.g. -request_sent_time",
    )
    .option("--all", "read every page (follows page.total, at most 50 pages)", false)
    .addHelpText(
      "after",
      `
Every request names its page: limit (--limit, default 1000, CertCentral's maximum) and offset; --all
follows the offset through page.total. --sort is sent as CertCentral's sort parameter; which fields it
sorts by is not documented (the log lists oldest first without it).
Columns: time sent (UTC), event, delivery status, the endpoint's HTTP code, order/certificate ids.
An --event or --status value certwh does not know (statuses seen: success, failed) is sent anyway,
with a warning on stderr.
--json prints {"events":[…],"page":{"total","limit","offset"}} as CertCentral returns it.

Examples:
  $ certwh logs --limit 20
  $ certwh logs --sort -request_sent_time --limit 20
  $ certwh logs --event certificate_issued --status failed
  $ certwh logs --all --json | jq '.events[] | select(.response_code != 200)'`,
    );
export type LogsFlags = FlagsOf<typeof logsCommand>;
