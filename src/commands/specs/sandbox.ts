// sandbox and trigger: flags and help only (src/cli/program.ts attaches the actions).

import { type Command, type FlagsOf, Option } from "./commander.js";

export const sandboxCommand = (parent: Command) =>
  parent
    .command("sandbox")
    .description(
      "Run a local CertCentral (webhook API and event sender) in the foreground; no account needed",
    )
    .option("--port <n>", "port to listen on (default: a free one)")
    .option("--api-key <key>", "the sandbox's API key (default: random; a throwaway key, not a DigiCert one)")
    .option("--state-file <file>", "keep the webhook and its event log across restarts")
    .option("--no-rate-limit", "switch off the 100 requests / 5 s limit")
    .option("--no-delete", "answer DELETE /webhook/{id} like CertCentral (404), not the sandbox extension")
    .option("--slack-host <host:port>", "deliver hooks.slack.com messages to http://<host:port> instead")
    .option(
      "--quirks <list>",
      "behave like another plausible reading of CertCentral, e.g. numeric-token,text-plain",
    )
    .option(
      "--ui",
      "also serve the sandbox console, a web page on 127.0.0.1 (its URL is printed): the webhook, and a button per event to send",
    )
    .addHelpText(
      "after",
      `
Quirks switch undocumented behaviour to another plausible reading (README, "The sandbox"), e.g.
no-content-type, handshake-no-key, numeric-token, update-stays-active, activate-active-400,
deactivate-pending-204, settings-top-level, repeat-deliveries, big-logs. An unknown name lists them all.

Examples:
  $ certwh sandbox --port 8443
  $ certwh sandbox --quirks numeric-token,handshake-no-key
  $ certwh sandbox --state-file ./sandbox.json --no-rate-limit
  $ certwh sandbox --json          # one JSON object {base_url, api_key, …} on stdout
  $ certwh sandbox --ui            # and a console page: open the printed URL (--json: inspector_url)`,
    );
export type SandboxFlags = FlagsOf<typeof sandboxCommand>;

export const triggerCommand = (parent: Command) =>
  parent
    .command("trigger")
    .description(
      "POST one CertCentral event, shaped and keyed as CertCentral sends it, through the running sandbox or to a URL",
    )
    .argument("<event>", "event name (see `certwh event-types --all`)")
    .option("--to <url>", "the endpoint to POST to")
    .option(
      "--sandbox-url <base-url>",
      "ask this running sandbox to send it to its webhook (default: the newest `listen --sandbox` or `sandbox` of this user)",
    )
    .option("--secret-file <file>", "send X-WEBHOOK-KEY with the secret in this file")
    .option("--secret-env <var>", "send X-WEBHOOK-KEY with the secret in this environment variable")
    .option("--order-id <n>", "data.order_id (default: a random 9-digit id per run)")
    .option("--certificate-id <n>", "data.certificate_id (default: a random 9-digit id per run)")
    .option(
      "--with-chain",
      "certificate_issued: include a real chain (leaf CN example.com); with --sandbox-url the webhook's chain settings decide",
      false,
    )
    .addOption(
      // The default's own description, so help shows 10s, not the quoted string "10s".
      new Option(
        "--timeout <duration>",
        "how long the endpoint has to answer, e.g. 5s or 2m (a bare number is seconds)",
      ).default("10s", "10s"),
    )
    .addHelpText(
      "after",
      `
Without --to or --sandbox-url, trigger finds the running \`certwh listen --sandbox\` or \`certwh sandbox\`
of this user (the newest when several run; it says which) and asks its sandbox to send the event to its
webhook. Exit 5 when none runs.

Examples:
  $ certwh trigger certificate_issued          # through the running listen --sandbox or sandbox
  $ certwh trigger certificate_issued --to http://localhost:3000/webhooks/certcentral --secret-env WEBHOOK_SECRET --with-chain
  $ certwh trigger order_rejected --to https://hooks.example.com/certcentral --order-id 470091052 --json
  $ certwh trigger certificate_revoked --sandbox-url http://127.0.0.1:8443/services/v2`,
    );
/** The flags, and the event named by the argument. */
export type TriggerFlags = FlagsOf<typeof triggerCommand> & { event: string };
