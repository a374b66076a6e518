// certwh replay: re-deliver journaled events (written by listen) to a URL, one at a time, oldest first.
// The journal never holds the webhook secret, so X-WEBHOOK-KEY is sent only when --secret-file or
// --secret-env provides one. One attempt per event: replay is a manual action, the user sees each result.

import { RefusedError, UsageError } from "../errors.js";
import { closestEventName, findEventType } from "../events/catalogue.js";
import { createForwarder, type ForwardResult } from "../listen/forward.js";
import { type JournalContents, type JournalEntry, readJournal } from "../listen/journal.js";
import { defaultJournalPath } from "../listen/paths.js";
import { printable } from "../util/printable.js";
import { userAgent } from "../util/version.js";
import type { CommandContext } from "./context.js";
import { parseHttpUrl, parsePositiveInteger } from "./options/flag-values.js";
import { warnIfCleartextKey } from "./options/flag-warnings.js";
import { resolveSecret } from "./options/secret-source.js";
import { parseSecretSource, type SecretSource } from "./options/webhook-flags.js";
import type { ReplayFlags } from "./specs/listen.js";

/**
 * The verification traffic listen journals: replaying it by default would re-send a (used) challenge
 * token to the app, so it is left out unless --all or an explicit --event names it.
 */
export const VERIFICATION_EVENTS: readonly string[] = ["test_webhook_endpoint", "challenge_webhook_endpoint"];

interface ReplayResult {
  id: string;
  event: string;
  received_at: string;
  ok: boolean;
  status?: number;
  ms: number;
  error?: string;
}

/** What to replay, where, and with which secret: every flag checked before the journal is read. */
export interface ParsedReplay {
  to: string;
  /** undefined → the default journal path. */
  journal?: string;
  events: Set<string>;
  ids: string[];
  since?: number;
  limit?: number;
  secret: SecretSource;
  /** Include test_webhook_endpoint and challenge_webhook_endpoint entries. */
  all: boolean;
}

/** --event names must be events CertCentral sends: a typo would otherwise just match nothing. */
function checkEventNames(names: string[]): void {
  for (const name of names) {
    if (findEventType(name)) continue;
    const near = closestEventName(name);
    throw new UsageError(`Unknown event for --event: ${JSON.stringify(name)}.`, {
      hint: near
        ? `Did you mean ${near}? (\`certwh event-types --all\` lists them.)`
        : "`certwh event-types --all` lists them.",
    });
  }
}

export function parseReplayOptions(opts: ReplayFlags): ParsedReplay {
  if (!opts.to) {
    throw new UsageError("--to is required: the URL to deliver the events to.", {
      hint: "e.g. certwh replay --to http://localhost:3000/webhooks",
    });
  }
  const url = parseHttpUrl("--to", opts.to);
  const secret = parseSecretSource(
    { secretFile: opts.secretFile, secretEnv: opts.secretEnv },
    { allowRemove: false },
  );
  checkEventNames(opts.event ?? []);
  let since: number | undefined;
  if (opts.since !== undefined) {
    since = Date.parse(opts.since);
    if (Number.isNaN(since)) {
      throw new UsageError(`--since is not an ISO 8601 time: ${opts.since}`, {
        hint: "e.g. --since 2026-01-31T09:00:00Z",
      });
    }
  }
  return {
    to: url.toString(),
    journal: opts.journal,
    events: new Set(opts.event ?? []),
    ids: opts.id ?? [],
    since,
    limit: parsePositiveInteger("--limit", opts.limit),
    secret,
    all: opts.all === true,
  };
}

async function loadJournal(path: string): Promise<JournalContents> {
  try {
    return await readJournal(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") {
      throw new UsageError(`No journal at ${path}.`, {
        hint: "`certwh listen` writes one as events arrive; pass another file with --journal.",
      });
    }
    throw new UsageError(`Cannot read the journal ${path}${code ? ` (${code})` : ""}.`);
  }
}

/**
 * Filter, then keep the most recent `limit` entries, in journal (oldest first) order. `skipped` counts
 * the verification entries that matched everything else but were left out (no --all, not named).
 */
function select(entries: JournalEntry[], s: ParsedReplay): { chosen: JournalEntry[]; skipped: number } {
  const matching = entries.filter(
    (e) =>
      (s.events.size === 0 || s.events.has(e.event)) &&
      (s.ids.length === 0 || s.ids.some((id) => e.id.startsWith(id))) &&
      (s.since === undefined || Date.parse(e.received_at) >= s.since),
  );
  const excluded = (e: JournalEntry) =>
    !s.all && !s.events.has(e.event) && VERIFICATION_EVENTS.includes(e.event);
  const kept = matching.filter((e) => !excluded(e));
  const chosen = s.limit === undefined ? kept : kept.slice(-s.limit);
  return { chosen, skipped: matching.length - kept.length };
}

export async function run(
  opts: ReplayFlags,
  ctx: Pick<CommandContext, "io" | "env" | "signal" | "clock" | "settings">,
): Promise<void> {
  const { io } = ctx;
  const selection = parseReplayOptions(opts);
  const secret = (await resolveSecret(selection.secret, ctx.env, { signal: ctx.signal })).value;
  warnIfCleartextKey(ctx.io, "--to", selection.to, secret !== undefined);
  // --request-timeout, CERTWH_REQUEST_TIMEOUT or the profile; no API key is needed.
  const timeoutMs = (await ctx.settings()).requestTimeoutMs;

  const path = selection.journal ?? defaultJournalPath(ctx.env);
  const journal = await loadJournal(path);
  if (journal.skipped.length > 0) {
    const shown = journal.skipped
      .slice(0, 5)
      .map((s) => `line ${s.line} (${s.reason})`)
      .join(", ");
    const more = journal.skipped.length > 5 ? `, and ${journal.skipped.length - 5} more` : "";
    io.warn(`Skipped ${journal.skipped.length} unreadable line(s) in ${path}: ${shown}${more}.`);
    if (journal.tornTail) io.hint("The last line was cut short, probably by a crash while it was written.");
  }

  const { chosen: entries, skipped } = select(journal.entries, selection);
  if (skipped > 0) {
    io.info(
      `Skipped ${skipped} test/challenge ${skipped === 1 ? "entry" : "entries"} (test_webhook_endpoint, ` +
        "challenge_webhook_endpoint); --all or --event <name> includes them.",
    );
  }
  if (entries.length === 0) io.warn(`No journal entries match (${journal.entries.length} in ${path}).`);

  const results: ReplayResult[] = [];
  const byId = new Map(entries.map((e, i) => [String(i), e]));
  const forwarder = createForwarder({
    url: selection.to,
    clock: ctx.clock,
    maxAttempts: 1,
    concurrency: 1, // one at a time, in journal order
    timeoutMs,
    queueLimit: entries.length + 1,
    onResult: (r: ForwardResult) => {
      const entry = byId.get(r.id) as JournalEntry;
      results.push({
        id: entry.id,
        event: entry.event,
        received_at: entry.received_at,
        ok: r.ok,
        status: r.status,
        ms: r.ms,
        error: r.error ?? (r.ok ? undefined : `HTTP ${r.status}`),
      });
      if (io.json) return;
      const label = r.status !== undefined ? String(r.status) : (r.error ?? "failed");
      const line = `[${label}] ${printable(entry.event)} ${entry.id} (received ${entry.received_at}) → ${selection.to} (${r.ms} ms)`;
      if (r.ok) io.info(line);
      else io.error(line);
    },
  });

  const onAbort = () => void forwarder.close();
  ctx.signal.addEventListener("abort", onAbort, { once: true });
  try {
    const headers = {
      "content-type": "application/json",
      "user-agent": userAgent(),
      ...(secret !== undefined ? { "x-webhook-key": secret } : {}),
    };
    entries.forEach((entry, i) => {
      forwarder.enqueue({
        id: String(i),
        event: entry.event,
        body: Buffer.from(entry.body, "utf8"),
        headers,
      });
    });
    await forwarder.drain();
  } finally {
    ctx.signal.removeEventListener("abort", onAbort);
    await forwarder.close();
  }
  if (ctx.signal.aborted) throw ctx.signal.reason;

  const failed = results.filter((r) => !r.ok).length;
  const delivered = results.length - failed;
  if (io.json) {
    io.writeJson({
      delivered,
      failed,
      results,
      ...(skipped > 0 ? { skipped_verification_events: skipped } : {}),
      ...(journal.skipped.length > 0 ? { skipped_lines: journal.skipped } : {}),
    });
  }
  if (failed > 0) {
    throw new RefusedError(`${failed} of ${results.length} deliveries to ${selection.to} failed.`, {
      code: "replay_failed",
      hint: "Is the app running and answering 2xx? The journal is unchanged, so you can replay again.",
      reported: true,
    });
  }
  if (!io.json && entries.length > 0)
    io.success(`Replayed ${delivered} event${delivered === 1 ? "" : "s"} to ${selection.to}.`);
}
