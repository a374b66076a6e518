import type { Command } from "commander";
import { collect, type Runner } from "../runner.js";

export function register(program: Command, run: Runner): void {
  program
    .command("replay")
    .description("Re-deliver events from listen's journal to a URL (one POST per event, oldest first)")
    .option("--journal <file>", "journal to read (default: $XDG_CONFIG_HOME/certwh/journal.ndjson)")
    .option("--to <url>", "where to POST the events (required)")
    .option("--event <name>", "only events with this name (repeatable)", collect)
    .option("--id <id>", "only the event with this journal id or id prefix (repeatable)", collect)
    .option("--since <time>", "only events received at or after this ISO 8601 time")
    .option("--limit <n>", "only the most recent n matching events")
    .option("--secret-file <file>", "send X-WEBHOOK-KEY with the secret read from this file")
    .option("--secret-env <var>", "send X-WEBHOOK-KEY with the secret from this environment variable")
    .addHelpText(
      "after",
      `
The journal never stores the webhook secret: X-WEBHOOK-KEY is sent only with --secret-file or --secret-env.
Exits 3 when any delivery fails (no 2xx answer; redirects are not followed).

Examples:
  $ certwh replay --to http://localhost:3000/webhooks/certcentral --event certificate_issued --limit 1
  $ certwh replay --to http://localhost:3000/webhooks/certcentral --since 2026-01-31T09:00:00Z \\
      --secret-env CERTWH_WEBHOOK_SECRET --json`,
    )
    .action((opts, cmd) => run("replay", opts, cmd));
}
