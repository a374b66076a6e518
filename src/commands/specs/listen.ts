// listen, replay and inspect: flags and help only (src/cli/program.ts attaches the actions).

import { LISTEN_NDJSON_TYPES, ON_EXIT_ACTIONS } from "../../listen/types.js";
import { type Command, collect, type FlagsOf, Option } from "./commander.js";

/** Where listen keeps its journal unless --journal says otherwise (src/listen/paths.ts). */
const DEFAULT_JOURNAL = "(default: $XDG_STATE_HOME/certwh/journal.ndjson, else ~/.local/state/certwh/…)";

/** `text` in lines of at most `width` characters, broken between words, as the rest of the help is. */
function wrap(text: string, width = 105): string {
  const lines: string[] = [];
  for (const word of text.split(" ")) {
    const last = lines.length - 1;
    if (last >= 0 && `${lines[last]} ${word}`.length <= width) lines[last] = `${lines[last]} ${word}`;
    else lines.push(word);
  }
  return lines.join("\n");
}

export const replayCommand = (parent: Command) =>
  parent
    .command("replay")
    .description(
      "Re-deliver events from listen's journal to a URL and/or a command (one event at a time, oldest first)",
    )
    .option("--journal <file>", `journal to read ${DEFAULT_JOURNAL}`)
    .option("--to <url>", "where to POST the events (--to or --exec is required; one URL per run)", collect)
    .option(
      "--exec <command>",
      "run a command per event, as listen --exec does: event JSON on stdin, CERTWH_EVENT/_ORDER_ID/_CERTIFICATE_ID in env",
    )
    .option("--event <name>", "only events with this name (repeatable)", collect)
    .option(
      "--id <id>",
      "only the events with this journal id or id prefix (a repeated body shares its id; a prefix of different events is refused; repeatable)",
      collect,
    )
    .option("--since <time>", "only events received at or after this ISO 8601 date or time (no zone: UTC)")
    .option("--limit <n>", "only the most recent n matching events")
    .option("--from-line <n>", "start at this line of the journal (an interrupted replay prints it)")
    .option("--all", "also replay test_webhook_endpoint and challenge_webhook_endpoint entries")
    .option("--secret-file <file>", "send X-WEBHOOK-KEY with the secret read from this file")
    .option("--secret-env <var>", "send X-WEBHOOK-KEY with the secret from this environment variable")
    .addHelpText(
      "after",
      `
The journal never stores the webhook secret: X-WEBHOOK-KEY is sent only with --secret-file or --secret-env.
CertCentral's test and challenge deliveries are skipped (and counted) unless --all or --event names them.
An --event name CertCentral does not send is a usage error (exit 2).
Exits 3 when any delivery fails (no 2xx answer; redirects are not followed) or any --exec run fails.
The journal is read as a stream, so its size does not matter; a line over 8 MiB is skipped and named.
Ctrl-C cuts the event in progress short (named: the app may have received it) and prints the command
that resumes there (--from-line; it sends that event again).

Examples:
  $ certwh replay --to http://localhost:3000/webhooks/certcentral --event certificate_issued --limit 1
  $ certwh replay --to http://localhost:3000/webhooks/certcentral --since 2026-01-31T09:00:00Z \\
      --secret-env CERTWH_WEBHOOK_SECRET --json
  $ certwh replay --exec './on-event.sh' --event certificate_issued --since 2026-01-31T09:00:00Z`,
    );
export type ReplayFlags = FlagsOf<typeof replayCommand>;
export const listenCommand = (parent: Command) =>
  parent
    .command("listen")
    .description("Receive CertCentral events on this computer: tunnel, verification and activation in one go")
    .option("--port <n>", "local receiver port on 127.0.0.1 (default: a free one)")
    .option(
      "--public-url <url>",
      "public base URL of your own tunnel that forwards to --port (instead of ngrok)",
    )
    .option(
      "--public-url-file <file>",
      "read your tunnel's public base URL from this file and follow it when it changes (empty = down)",
    )
    .option("--sandbox", "use an in-process CertCentral sandbox and no tunnel (try it without an account)")
    .option("--ngrok-domain <domain>", "a reserved ngrok domain (its URL never changes)")
    .option("--no-ip-allowlist", "do not restrict the ngrok edge to DigiCert's range 216.168.240.0/20")
    .option(
      "--event <name>",
      "subscribe to this event (repeatable; default: keep the webhook's, or all)",
      collect,
    )
    .option("--events <list>", "comma-separated events, e.g. certificate_issued,certificate_revoked")
    .option("--secret-file <file>", "use the webhook secret in this file (default: a new random one)")
    .option("--secret-env <var>", "use the webhook secret in this environment variable")
    .option("--generate-secret", "generate a new random secret (the default)")
    .option(
      "--secret-out <file>",
      "with --generate-secret: also write the secret to this file (mode 0600; replacing one needs --force/--yes or a confirmation)",
    )
    .option("--chain", "include the certificate chain in certificate_issued events")
    .option("--no-chain", "do not include the certificate chain")
    .option("--instant", "also send certificate_issued for instantly issued certificates")
    .option("--no-instant", "only send certificate_issued for certificates not issued instantly")
    .option("--frequency <days>", "when to send expiry/revalidation notices, days from 90,60,30,7,0,-7")
    .option("--force", "take over an active webhook that points elsewhere without asking (also --yes)")
    .addOption(
      new Option("--on-exit <action>", "what to leave in the account when listen ends")
        .choices(ON_EXIT_ACTIONS)
        .default("deactivate"),
    )
    .option("--journal <file>", `append accepted events here ${DEFAULT_JOURNAL}`)
    .option("--no-journal", "do not keep a journal")
    .option(
      "--drop-repeats",
      "answer a body identical to one received in the last 10 minutes with 200 but do not pass it on (default: pass it on, marked as a repeat)",
    )
    .option(
      "--forward-to <url>",
      "POST each event (body and headers, X-WEBHOOK-KEY included) to your app (repeatable, up to 8 targets)",
      collect,
    )
    .option(
      "--skip-verify",
      "accept a self-signed certificate from an https --forward-to target on this computer (loopback only)",
    )
    .option(
      "--host <ip>",
      "bind the receiver to this address instead of 127.0.0.1, e.g. 0.0.0.0 in a container (warns)",
    )
    .option(
      "--exec <command>",
      "run a command per event: event JSON on stdin, CERTWH_EVENT/_ORDER_ID/_CERTIFICATE_ID in env",
    )
    .option(
      "--save-chain <dir>",
      "write <dir>/<order_id>/cert.pem, chain.pem (intermediates), fullchain.pem (leaf + intermediates), root.pem (implies --chain)",
    )
    .option("--inspect", "serve a local web page that shows the session live (the default)")
    .option("--no-inspect", "do not start the local web inspector")
    .option("--inspect-port <n>", "the inspector's port on 127.0.0.1 (default: a free one)")
    .option("--until <event>", "exit 0 once this event arrives (CI)")
    .option("--order-id <n>", "with --until: only an event for this order")
    .option("--timeout <duration>", "with --until: exit 6 if it has not arrived after this long, e.g. 30m")
    .option("--tunnel-grace <duration>", "exit 7 when the tunnel stays down this long (default 60s)")
    .option(
      "--challenge-timeout <duration>",
      "wait this long for each challenge token (default and maximum 30m)",
    )
    .addHelpText(
      "after",
      `
listen starts a receiver on 127.0.0.1 (an unguessable path), opens a public HTTPS URL (ngrok with
NGROK_AUTHTOKEN; --public-url for your own tunnel; none with --sandbox, or when the API is a sandbox on
this computer, e.g. CERTWH_BASE_URL from \`certwh sandbox\`), and only then touches the account: it
creates the webhook or points the existing one at the URL with its own secret, sends the test event and
a challenge, captures the token at the receiver, verifies and activates. If no token arrives in time or
CertCentral refuses it, it sends a new challenge (3 in all), then exits 6.

An ACTIVE webhook that points elsewhere is probably production: listen refuses to take it over without
--force/--yes or a confirmation in a terminal (without a terminal: exit 2). --on-exit restore puts its
endpoint, events, settings and secret back; CertCentral then needs that endpoint verified again.
--on-exit runs once however listen ends (--until, --timeout, Ctrl-C, an error); Ctrl-C exits 130,
SIGTERM 143. A second Ctrl-C stops waiting for the on-exit call and pending forwards (both still
reported), a third exits at once. Exit 7 when the tunnel cannot start or stays down.

${wrap(`--json prints NDJSON on stdout, one object per line with a "type": ${LISTEN_NDJSON_TYPES.join(", ")}.`)}
With --sandbox the ready object (and block) also carries sandbox_url and sandbox_api_key, a throwaway
key of the in-process sandbox, so \`certwh trigger --sandbox-url\` and your code can reach it.

--forward-to can be repeated (up to 8 targets, each once): every target gets every event, with its own
retries and backlog, and a failed forward shows the app's status and the first 512 bytes of its answer.
--skip-verify accepts a self-signed certificate from an https target on 127.0.0.1, ::1 or localhost only.
--host 0.0.0.0 (e.g. in a container) makes the receiver reachable from the network: X-WEBHOOK-KEY is still
checked, and peers that are not loopback are accepted (with ngrok's allowlist, only from DigiCert's range).

Examples:
  $ certwh listen --forward-to http://localhost:3000/webhooks/certcentral
  $ certwh listen --forward-to http://localhost:3000/hooks --forward-to https://localhost:8443/hooks \\
      --skip-verify
  $ certwh listen --sandbox --json
  $ certwh listen --public-url https://hooks.example.com --port 8080 --on-exit restore --force
  $ certwh listen --public-url-file /run/tunnel/url --port 8080   # a tunnel whose URL can change
  $ certwh listen --until certificate_issued --order-id 470091052 --timeout 30m --save-chain ./certs`,
    );
export type ListenFlags = FlagsOf<typeof listenCommand>;

export const inspectCommand = (parent: Command) =>
  parent
    .command("inspect")
    .description(
      "Open listen's web inspector over a journal alone: browse, search and replay past deliveries",
    )
    .option("--journal <file>", `journal to show ${DEFAULT_JOURNAL}`)
    .option("--port <n>", "the inspector's port on 127.0.0.1 (default: a free one)")
    .option("--to <url>", "where the page's replays go when no URL is typed there")
    .option("--secret-file <file>", "replays send X-WEBHOOK-KEY with the secret read from this file")
    .option("--secret-env <var>", "replays send X-WEBHOOK-KEY with the secret from this environment variable")
    .addHelpText(
      "after",
      `
The journal is read once, as a stream; the newest 20,000 deliveries are shown (bodies up to 64 MiB in all).
The page is on 127.0.0.1 only and opens through the printed URL (its token becomes a cookie).
Replays from the page go to the URL typed there (else --to); the journal never holds the secret, so they carry
X-WEBHOOK-KEY only with --secret-file or --secret-env (the secret stays in this process, never in the page).
With --json the URL is on stdout as {"type":"ready","inspector_url":…}; otherwise it is printed on stderr.
A missing journal exits 5. Ctrl-C stops (exit 130).

Examples:
  $ certwh inspect
  $ certwh inspect --journal ./journal.ndjson --port 8765
  $ certwh inspect --to http://localhost:3000/webhooks --secret-env CERTWH_WEBHOOK_SECRET
  $ certwh inspect --journal ~/.local/state/certwh/sandbox-journal.ndjson --json`,
    );
export type InspectFlags = FlagsOf<typeof inspectCommand>;
