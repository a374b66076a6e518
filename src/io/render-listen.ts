// Renders listen's state events (src/listen/types.ts), the way stripe-cli's visitor renders its state elements:
// under --json every event is one NDJSON line on stdout, as is; otherwise event lines (-->, <--, ==) go to
// stdout, so `certwh listen > events.log` keeps only events, and the ready block, progress, state changes and
// rejections (xx) go to stderr (ux-conventions §3). The challenge countdown updates in place on a TTY only.

import { type InterruptCause, interruptMessage } from "../errors.js";
import { FORWARDER_CLOSED, forwardErrorWords } from "../listen/forward-errors.js";
import type { TargetSummary } from "../listen/forward-targets.js";
import type { ListenEvent, ReadyEvent, StateEvent, UnfinishedWork } from "../listen/types.js";
import type { Clock } from "../util/clock.js";
import { printable } from "../util/printable.js";
import type { Output } from "./output.js";
import { formatTimeLeft, type Level, stageLine } from "./render-stage.js";

interface ListenRenderer {
  render(event: ListenEvent): void;
  /** Stop the countdown and clear its line. */
  close(): void;
}

/** 14:02:11 in local time. */
function clockTime(at: string | number): string {
  return new Date(at).toTimeString().slice(0, 8);
}

/** A rejection in words; the receiver reports a fixed reason and detail, never body or key bytes. */
const REJECT_WORDS: Record<string, string> = {
  "unauthorized/missing": "X-WEBHOOK-KEY missing",
  "unauthorized/mismatch": "X-WEBHOOK-KEY wrong",
  "unauthorized/repeated": "X-WEBHOOK-KEY sent more than once",
  "payload_too_large/declared": "Content-Length over the size cap",
  "payload_too_large/streamed": "body over the size cap",
  "bad_request/invalid_json": "body is not valid JSON",
  "bad_request/not_an_object": "JSON body is not an object",
  "bad_request/missing_event": 'no "event" name in the body',
  "bad_request/data_not_an_object": '"data" is not an object',
  unauthorized: "X-WEBHOOK-KEY refused",
  forbidden_source: "source address not allowed",
  not_found: "unknown path",
  method_not_allowed: "method not allowed (POST only)",
  payload_too_large: "body over the size cap",
  body_timeout: "body too slow",
  bad_request: "not a CertCentral event",
  accept_failed: "could not journal the event",
  unavailable: "nowhere to keep the event without a journal",
  internal_error: "internal error",
  stopping: "listen is stopping (the sender retries later)",
  aborted: "the sender went away before its body ended",
};

/** The warning when the journal was moved or removed under listen (also said on stderr under --json). */
export function journalReplacedLine(journal: string): string {
  return (
    `The journal ${printable(journal)} was moved or removed while listen ran; certwh continues in a new file at ` +
    "that path (the events before it are wherever the old file went)."
  );
}

function describeRejection(reason: string, detail?: string): string {
  const exact = detail ? REJECT_WORDS[`${reason}/${detail}`] : undefined;
  if (exact) return exact;
  const what = REJECT_WORDS[reason] ?? reason.replace(/_/g, " ");
  return detail ? `${what} (${detail.replace(/_/g, " ")})` : what;
}

const ID_LABELS = { order_id: "order", certificate_id: "cert", organization_id: "org", domain_id: "domain" };

function describeIds(data: unknown): string {
  if (typeof data !== "object" || data === null) return "";
  const d = data as Record<string, unknown>;
  return Object.entries(ID_LABELS)
    .filter(([key]) => typeof d[key] === "number" || typeof d[key] === "string")
    .map(([key, label]) => `${label} ${printable(String(d[key]))}`)
    .join("  ");
}

/** Where X-WEBHOOK-KEY comes from; an app behind --forward-to must know it to check the key. */
function secretLine(s: NonNullable<ReadyEvent["secret"]>, forwarding: boolean): string {
  if (!s.generated) return "yours (--secret-file / --secret-env)";
  if (s.saved_to) return `generated for this session, saved in ${s.saved_to}`;
  return forwarding
    ? "generated for this session: for your app to check X-WEBHOOK-KEY, choose it with --secret-env, or save it with --generate-secret --secret-out FILE"
    : "generated for this session";
}

/** One line per --forward-to target (the first labelled), or that events are only printed. */
function forwardingLines(e: ReadyEvent): string[] {
  const targets = e.forward_targets ?? (e.forward_to ? [e.forward_to] : []);
  if (targets.length === 0) return ["  Forwarding    printing only (no --forward-to)"];
  const unchecked = (url: string) =>
    e.skip_verify && url.startsWith("https:") ? "  (certificate not checked: --skip-verify)" : "";
  return targets.map((url, i) => `  ${i === 0 ? "Forwarding" : "          "}    ${url}${unchecked(url)}`);
}

/** A sandbox on this computer reaches the receiver directly (the tunnel's description says so). */
const noTunnel = (tunnel: string) => tunnel.startsWith("no tunnel");

function readyLines(e: ReadyEvent): string[] {
  const allow = e.protections.ip_allowlist;
  const protections = [
    "X-WEBHOOK-KEY checked",
    allow ? `IP allowlist ${allow.join(", ")} at the ${e.tunnel} edge` : "no IP allowlist",
    e.protections.source_check,
  ];
  const lines = [
    // Without a tunnel the webhook's URL is the receiver's own, on this computer: not public.
    `  ${noTunnel(e.tunnel) ? "Webhook URL" : "Public URL "}   ${e.public_url}`,
    `  Receiver      ${e.local_url}`,
    ...forwardingLines(e),
    `  Journal       ${e.journal ?? "off"}`,
    ...(e.inspector_url ? [`  Inspector     ${e.inspector_url}`] : []),
    `  Protections   ${protections.join(" · ")}`,
  ];
  if (e.secret) lines.push(`  Secret        ${secretLine(e.secret, e.forward_to !== null)}`);
  if (e.until) lines.push(`  Until         ${e.until} (then exit 0)`);
  lines.push(`  On exit       ${e.on_exit.padEnd(22)}(Ctrl-C to stop)`);
  return lines;
}

/** A human line: stdout for event lines (data), stderr (with a level) for everything else. */
type Line = { out: string } | { level: Level; text: string };

/** The stderr line for a state change (the countdown of `waiting` is handled by the renderer). */
function stateLine(e: StateEvent): Line | undefined {
  const say = (level: Level, text: string): Line => ({ level, text });
  switch (e.stage) {
    case "receiver_started":
      return say("debug", `receiver listening at ${e.local_url}`);
    case "tunnel_starting":
      return say(
        "info",
        `${noTunnel(e.tunnel) ? "No tunnel needed: the sandbox on this computer delivers to the local receiver" : `Opening a public URL (${e.tunnel}) to the local receiver`}. Protections: X-WEBHOOK-KEY checked` +
          (e.ip_allowlist
            ? ` · only ${e.ip_allowlist.join(", ")} at the tunnel edge…`
            : " · no IP allowlist…"),
      );
    case "tunnel_started":
      return say(
        "success",
        `${noTunnel(e.tunnel) ? "Webhook URL (no tunnel)" : "Public URL"} ${e.public_url}`,
      );
    case "webhook_found":
      return say(
        e.foreign ? "warn" : "info",
        `The account's webhook ${e.webhook_id} is ${e.status} and points at ${e.endpoint}.`,
      );
    case "webhook_created":
      return say("success", `Created webhook ${e.webhook_id} (events: ${e.events.join(", ")}).`);
    case "webhook_updated":
      return say(
        "success",
        `Webhook ${e.webhook_id} now points at this session (was ${e.previous_endpoint}).`,
      );
    case "handshake_accepted":
      return say(
        "warn",
        `Accepted the ${e.event === "challenge_webhook_endpoint" ? "challenge" : "test event"} ${e.key === "missing" ? "without X-WEBHOOK-KEY" : "with the previous X-WEBHOOK-KEY"} (a verification is under way).`,
      );
    case "challenge_ignored":
      return say("warn", `Ignored a challenge delivery (${e.reason.replace(/_/g, " ")}).`);
    case "reverifying":
      return say(
        "warn",
        `The tunnel moved: pointing webhook ${e.webhook_id} at ${e.public_url} and verifying again…`,
      );
    case "reverified":
      return say("success", `Webhook ${e.webhook_id} is active again at ${e.public_url}.`);
    case "journal_replaced":
      return say("warn", journalReplacedLine(e.journal));
    case "journal_shared":
      return say(
        "warn",
        `Another process also writes to the journal ${printable(e.journal)} (another listen with the same --journal?); ` +
          "the replay command listen prints at exit names this session's events by id.",
      );
    case "stopping":
      return say("debug", `stopping (${e.reason})`);
    case "draining":
      return say(
        "info",
        `Stopping… ${e.forwards} forward(s) still pending; waiting up to ${Math.round(e.wait_ms / 1000)} s for them ` +
          "(Ctrl-C again stops waiting; they stay in the journal).",
      );
    case "on_exit_started":
      return say(
        "info",
        `Stopping: ${e.action === "restore" ? "restoring" : "deactivating"} webhook ${e.webhook_id} (up to ` +
          `${Math.round(e.timeout_ms / 1000)} s; Ctrl-C again gives up)…`,
      );
    case "on_exit":
      return say(e.outcome === "failed" ? "error" : e.outcome === "done" ? "success" : "info", e.message);
    default:
      return stageLine(e);
  }
}

/** The human line for anything but `state` and `ready`. `now` stamps lines that carry no time. */
export function eventLine(e: Exclude<ListenEvent, StateEvent | ReadyEvent>, now: number): Line | undefined {
  const at = (time: string | number, text: string): Line => ({ out: `${clockTime(time)}  ${text}` });
  switch (e.type) {
    case "event": {
      const ids = describeIds(e.data);
      const unknown = e.known ? "" : "  (unknown event, passed through)";
      const repeat = e.repeat
        ? `  (repeat${e.first_received_at ? ` of ${clockTime(e.first_received_at)}` : ""}, passed on)`
        : "";
      return at(e.received_at, `--> ${printable(e.event).padEnd(34)} ${ids}${unknown}${repeat}`.trimEnd());
    }
    case "duplicate":
      return at(
        e.received_at,
        `==  repeat of ${printable(e.event)}${e.first_received_at ? ` at ${clockTime(e.first_received_at)}` : ""} dropped (--drop-repeats)`,
      );
    case "rejected":
      return {
        level: "info",
        // Status 0: the sender went away mid-body and nothing was answered.
        text: `${clockTime(e.received_at)}  xx  ${e.status === 0 ? "not answered" : `rejected ${e.status}`}: ${describeRejection(e.reason, e.detail)}`,
      };
    case "forward": {
      const status = e.status !== undefined ? String(e.status) : forwardErrorWords(e.error ?? "error");
      const retry =
        !e.final && e.retry_in_ms !== undefined ? `, retry in ${(e.retry_in_ms / 1000).toFixed(1)} s` : "";
      const closed = e.error === FORWARDER_CLOSED;
      const down =
        e.status === undefined && e.final && !e.error?.startsWith("certificate not trusted")
          ? closed
            ? ": listen stopped before it finished (the event is in the journal)"
            : ": your app is not answering (the event is in the journal)"
          : "";
      const said =
        e.response_body !== undefined
          ? `\n          | ${printable(e.response_body.trim()) || "(empty body)"}${e.response_truncated ? " …(cut at 512 bytes)" : ""}`
          : "";
      const what = `${printable(e.event)} ${e.id}`;
      return at(now, `<-- [${status}] ${what} → POST ${e.url} (${e.ms} ms)${retry}${down}${said}`);
    }
    case "exec_summary": {
      const parts = [`${e.ok} ok`, `${e.failed} failed`];
      if (e.unfinished > 0)
        parts.push(`${e.unfinished} not finished (the summary below says how to catch up)`);
      const line = `Ran --exec ${e.command}  ${parts.join(", ")} of ${count(e.ok + e.failed + e.unfinished, "event")}`;
      const again = e.replay
        ? `\n  Once the command is fixed, \`${e.replay}\` runs the failed ones again.`
        : "";
      return { level: e.failed > 0 ? "warn" : "info", text: `${line}${again}` };
    }
    case "forward_summary":
      return { level: "info", text: e.targets.map(summaryLine).join("\n") };
    case "exec": {
      const status = e.error ?? (e.timed_out ? "timeout" : `exit ${e.exit_code ?? e.signal}`);
      const cut = e.stdout_truncated ? "…(earlier output cut: its last 2 KiB)\n" : "";
      const output = e.stdout_tail
        ? `\n${`${cut}${e.stdout_tail.trimEnd()}`.replace(/^/gm, "          | ")}`
        : "";
      return at(now, `<-- [${status}] exec for ${printable(e.event)} (${e.ms} ms)${output}`);
    }
    case "chain_saved":
      return at(now, `<-- saved ${e.files.map((f) => f.split(/[\\/]/).pop()).join(", ")} in ${e.dir}`);
    case "warning":
      return { level: "warn", text: e.message };
    case "connection_limit":
      return { level: e.shed > 0 ? "warn" : "info", text: connectionLimitLine(e) };
    case "tunnel_down":
      return {
        level: "warn",
        text: `${clockTime(e.at)}  The tunnel is down${e.reason ? ` (${e.reason})` : ""}; waiting up to ${Math.round(e.grace_ms / 1000)} s for it.`,
      };
    case "tunnel_up":
      return {
        level: "success",
        text: `${clockTime(e.at)}  The tunnel is up${e.url_changed ? ` on a new URL: ${e.public_url}` : " again (same URL)"}.`,
      };
    case "until":
      return { level: "success", text: `${printable(e.event)} arrived (--until): stopping.` };
    case "interrupted":
      // The words every command uses. Without a cause a signal was sent (SIGPIPE always comes with one).
      return { level: "info", text: interruptMessage(e.cause ?? (e.signal as InterruptCause)) };
    case "unfinished":
      return { level: "warn", text: unfinishedText(e) };
  }
}

/** "1 event", "3 events". */
const count = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? "" : "s"}`;

/** The exit summary: what did not finish, and the command that catches up. */
function unfinishedText(e: Extract<ListenEvent, { type: "unfinished" }>): string {
  const say = (what: string, w: UnfinishedWork) => {
    const one = w.count === 1;
    return w.command
      ? `${what} did not finish. ${one ? "It is" : "They are"} in the journal; catch up with:\n  ${w.command}`
      : `${what} did not finish, and there is no journal (--no-journal) to run ${one ? "it" : "them"} from.`;
  };
  return [
    ...(e.exec ? [say(count(e.exec.count, "--exec run"), e.exec)] : []),
    ...(e.forward ?? []).map((f) => say(`${count(f.count, "forward")} to ${f.url}`, f)),
  ].join("\n");
}

/** `Forwarded: <url>  3 delivered, 1 failed` for one target at exit. */
function summaryLine(t: TargetSummary): string {
  const parts = [`${t.delivered} delivered`, `${t.failed} failed`];
  if (t.unfinished > 0) parts.push(`${t.unfinished} not finished (the summary below says how to catch up)`);
  return `Forwarded: ${t.url}  ${parts.join(", ")} of ${count(t.events, "event")}`;
}

/** What happened at the receiver's connection limit, and what the senders saw. */
function connectionLimitLine(e: Extract<ListenEvent, { type: "connection_limit" }>): string {
  const parts: string[] = [];
  if (e.shed > 0)
    parts.push(`${count(e.shed, "connection")} refused with 503 (Retry-After: 1; senders retry)`);
  if (e.evicted > 0) parts.push(`${count(e.evicted, "idle or slow connection")} closed to make room`);
  return `${clockTime(e.at)}  !!  connection limit (${e.max_connections}) reached: ${parts.join(", ")}; ${e.open} open`;
}

/** `noKeyNote`: said under the exit summary's replay commands when they cannot carry the secret. */
export function createListenRenderer(io: Output, clock: Clock, noKeyNote = ""): ListenRenderer {
  let countdown: NodeJS.Timeout | undefined;
  let reminder: NodeJS.Timeout | undefined;
  const stopCountdown = () => {
    clearInterval(countdown);
    clearTimeout(reminder);
    countdown = reminder = undefined;
    io.clearLive();
  };

  function waiting(deadline: number): void {
    const line = () => `Waiting for the challenge token… ${formatTimeLeft(deadline - clock.now())} left`;
    // A terminal that cannot rewrite a line (TERM=dumb) gets the plain lines, not one line a second.
    if (io.inPlace) {
      io.live(line());
      countdown = setInterval(() => io.live(line()), 1000).unref();
      return;
    }
    io.info(`${line()} (it arrives at the receiver by itself)`);
    const fiveMinutesBefore = deadline - 5 * 60_000 - clock.now();
    if (fiveMinutesBefore > 0) reminder = setTimeout(() => io.info(line()), fiveMinutesBefore).unref();
  }

  function print(line: Line | undefined): void {
    if (!line) return;
    if ("out" in line) io.print(line.out);
    else io[line.level](line.text);
  }

  function ready(e: ReadyEvent): void {
    io.success(`Webhook ${e.webhook_id} is active; events now reach this computer`);
    for (const line of readyLines(e)) io.info(line);
    if (e.sandbox_url) {
      // The in-process sandbox's key is a throwaway for this session: shown so trigger and your code reach it.
      io.revealInfo(
        `  Sandbox       ${e.sandbox_url}  (API key ${e.sandbox_api_key})`,
        e.sandbox_api_key ?? "",
      );
      io.info(
        "                From another shell: certwh trigger certificate_issued (it finds this sandbox by itself)",
      );
    }
  }

  // CertCentral posts test_webhook_endpoint twice per verification: a reachability check when the URL is
  // saved, then the test event. Naming each keeps the pair from reading as a duplicate delivery.
  let testSent = false;
  function testLabel(e: ListenEvent, line: Line | undefined): Line | undefined {
    if (!line || !("out" in line) || e.type !== "event" || e.event !== "test_webhook_endpoint") return line;
    return { out: `${line.out}  (${testSent ? "the test event" : "reachability check of the saved URL"})` };
  }

  function human(e: ListenEvent): void {
    if (e.type === "state") {
      if (e.stage === "testing") testSent = true;
      if (e.stage === "tested") testSent = false;
      if (e.stage === "waiting") waiting(e.deadline_ms);
      else print(stateLine(e));
    } else if (e.type === "ready") {
      ready(e);
    } else {
      print(testLabel(e, eventLine(e, clock.now())));
      if (e.type === "exec" && !e.ok && e.stderr_tail) {
        io.hint(e.stderr_tail.trim().split("\n").slice(-3).join("\n  "));
      }
      if (e.type === "unfinished" && noKeyNote && e.forward?.some((f) => f.command)) io.hint(noKeyNote);
    }
  }

  return {
    render(e) {
      if (e.type === "state" || e.type === "ready") stopCountdown();
      if (!io.json) human(e);
      else if (e.type === "ready" && e.sandbox_api_key) io.revealNdjson(e, e.sandbox_api_key);
      else io.ndjson(e);
    },
    close: stopCountdown,
  };
}
