// The shapes of `certwh listen`'s orchestration: its options, the dependencies it is given (so tests inject a
// fake tunnel, a clock and a sandbox-backed API), and the typed state events it emits instead of printing
// (stripe-cli's "state elements"). src/io/render-listen.ts turns each event into a human line or one NDJSON
// object; the events are already snake_case so the NDJSON form is the event itself (a stable contract).

import type { WebhookApi, WebhookSettings } from "../api/types.js";
import type { InterruptCause, InterruptSignal } from "../errors.js";
import type { ServerLimits } from "../receiver/server.js";
import type { Tunnel } from "../tunnel/tunnel.js";
import type { Clock } from "../util/clock.js";
import type { VerificationStage } from "../verification/stages.js";
import type { ExecReport } from "./exec.js";
import type { ForwardResult } from "./forward.js";
import type { TargetSummary } from "./forward-targets.js";
import type { JournalEntry } from "./journal.js";
import type { ReplaySecret } from "./replay-secret.js";
import type { UntilOptions } from "./until.js";

export type OnExitAction = "deactivate" | "restore" | "keep";
export const ON_EXIT_ACTIONS: readonly OnExitAction[] = ["deactivate", "restore", "keep"];

export interface ListenOptions {
  /** Bind address, default 127.0.0.1 (never 0.0.0.0 implicitly). */
  host?: string;
  /** Default 0: the OS picks. */
  port?: number;
  /** The webhook secret listen sets while it listens (provided by the user, or generated). */
  secret: string;
  /** Where the secret came from, for the ready block (the value itself is never printed). */
  secretOrigin?: { generated: boolean; savedTo?: string };
  /** How a printed `certwh replay --to` command gets the secret; undefined: the commands name none. */
  replaySecret?: ReplaySecret;
  /** Events to subscribe; undefined keeps an existing webhook's list, or subscribes a new one to every subscribable event. */
  events?: string[];
  settings?: WebhookSettings;
  /** Take over an active webhook that points elsewhere without asking. */
  force: boolean;
  onExit: OnExitAction;
  /** Journal file; undefined: no journal (--no-journal). */
  journalPath?: string;
  /** --forward-to, once or repeated (at most 8 targets): every target gets every event. */
  forwardTo?: readonly string[];
  /** --skip-verify: accept self-signed certificates from https forward targets on this computer. */
  skipVerify?: boolean;
  exec?: string;
  saveChainDir?: string;
  until?: UntilOptions;
  /** With --until: give up (TimeoutError, exit 6) after this long from ready. */
  timeoutMs?: number;
  /** With timeoutMs: the limit for getting ready (default 5 minutes; tests shorten it). */
  setupTimeoutMs?: number;
  /** --timeout as the user wrote it ("5s"), for messages. */
  timeoutText?: string;
  tunnelGraceMs?: number;
  /** Token validity (default CertCentral's 30 minutes); tests shorten it. */
  challengeWindowMs?: number;
  /**
   * What the tunnel enforces at its edge (ngrok: ["216.168.240.0/20"]), for the ready block; the receiver
   * also checks the LAST X-Forwarded-For entry against these ranges.
   */
  edgeAllowlist?: readonly string[];
  /** The in-process sandbox of --sandbox, reported in the ready event. */
  sandbox?: { url: string; apiKey: string };
  limits?: ServerLimits;
  /** --drop-repeats: answer repeated identical bodies 200 without passing them on (default: pass on, marked). */
  dropRepeats?: boolean;
}

export interface ListenDeps {
  api: WebhookApi;
  tunnel: Tunnel;
  clock: Clock;
  /** Aborted on an interruption (a signal, a closed output, the parent gone); its reason an InterruptedError. */
  signal: AbortSignal;
  /** Aborted by a second interruption: stop waiting for pending forwards (they are reported as unfinished). */
  hurry?: AbortSignal;
  emit(event: ListenEvent): void;
  /** Asked before taking over an active foreign webhook; undefined when nobody can be asked. */
  confirmTakeover?: (question: string) => Promise<boolean>;
  /** Base environment for --exec children (API keys are removed from it). Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Time allowed for the on-exit API calls (they ignore the interruption). Default 20 s. */
  onExitTimeoutMs?: number;
  /**
   * Called with each accepted delivery as its journal entry (built even with --no-journal, never holding the
   * key): the inspector keeps it to show the delivery's detail.
   */
  onAccepted?: (entry: JournalEntry) => void;
}

export type ListenResult =
  | { reason: "until"; webhookId?: number }
  | {
      reason: "interrupted";
      signal: InterruptSignal;
      webhookId?: number;
      /** Present when no signal was sent: stdout_closed, stderr_closed or parent_exited. */
      cause?: Exclude<InterruptCause, "SIGINT" | "SIGTERM" | "SIGHUP">;
    };

type Stage<S extends string, F = unknown> = { type: "state"; stage: S } & F;

export type StateEvent =
  | Stage<"receiver_started", { local_url: string }>
  | Stage<"tunnel_starting", { tunnel: string; ip_allowlist: string[] | null }>
  | Stage<"tunnel_started", { public_url: string; tunnel: string }>
  | Stage<"webhook_found", { webhook_id: number; endpoint: string; status: string; foreign: boolean }>
  | Stage<"webhook_created", { webhook_id: number; endpoint: string; events: string[] }>
  | Stage<"webhook_updated", { webhook_id: number; endpoint: string; previous_endpoint: string }>
  | ({ type: "state" } & VerificationStage)
  | Stage<"challenge_ignored", { reason: string }>
  /** A test or challenge delivery accepted without the current X-WEBHOOK-KEY while listen verifies (§17 #18). */
  | Stage<"handshake_accepted", { event: string; key: "missing" | "previous" }>
  | Stage<"reverifying", { webhook_id: number; public_url: string }>
  | Stage<"reverified", { webhook_id: number; public_url: string }>
  /**
   * The journal's path no longer named the file listen had open (moved, rotated or removed): listen opened a
   * new file there, which holds the events from now on (the earlier ones went with the old file).
   */
  | Stage<"journal_replaced", { journal: string }>
  /** Another process (another listen with the same --journal?) appends to the journal file too. */
  | Stage<"journal_shared", { journal: string }>
  | Stage<"stopping", { reason: "until" | "timeout" | "interrupted" | "error" }>
  /** Forwards not finished at the stop: waited for up to wait_ms, the rest reported (they are in the journal). */
  | Stage<"draining", { forwards: number; wait_ms: number }>
  /** The on-exit action's API calls begin (deactivate or restore; keep makes none): up to timeout_ms. */
  | Stage<"on_exit_started", { action: OnExitAction; webhook_id: number; timeout_ms: number }>
  | Stage<
      "on_exit",
      {
        action: OnExitAction;
        outcome: "done" | "skipped" | "failed";
        webhook_id: number;
        message: string;
        /**
         * A failed action, not in the in-process sandbox: the command that finishes it. A restore: the
         * `certwh update-url` that puts the webhook back (the secret by a source); a deactivate (or a restore
         * with nothing to put back): `certwh deactivate`.
         */
        command?: string;
      }
    >;

export interface ReadyEvent {
  type: "ready";
  public_url: string;
  local_url: string;
  webhook_id: number;
  status: "active";
  /** null: listen kept a borrowed webhook's events, which CertCentral did not report. */
  events: string[] | null;
  tunnel: string;
  protections: { key_check: true; ip_allowlist: string[] | null; source_check: string };
  /** The first --forward-to target (kept for readers of a single target); forward_targets has them all. */
  forward_to: string | null;
  /** Every --forward-to target, in order (always present in listen's own ready events). */
  forward_targets?: readonly string[];
  /** --skip-verify: self-signed certificates of https targets on this computer are accepted. */
  skip_verify?: true;
  journal: string | null;
  on_exit: OnExitAction;
  until: string | null;
  sandbox_url?: string;
  sandbox_api_key?: string;
  /** The local web inspector's URL (its token included); absent with --no-inspect. */
  inspector_url?: string;
  /** Where the X-WEBHOOK-KEY value comes from; never the value. */
  secret?: { generated: boolean; saved_to: string | null };
}

/** Work of one kind (exec runs or forwards) that had not finished when listen stopped. */
export interface UnfinishedWork {
  count: number;
  /** Their journal ids, oldest handed first (at most 10,000). */
  ids: string[];
  /** When the first of them arrived (ISO 8601). */
  since?: string;
  /** The `certwh replay` command that catches up (only with a journal). */
  command?: string;
}

export type ListenEvent =
  | StateEvent
  | ReadyEvent
  | {
      type: "event";
      event: string;
      data: unknown;
      received_at: string;
      /** The journal id (SHA-256 prefix of the body). */
      id: string;
      known: boolean;
      /** The same body arrived before (within 10 minutes) and is passed on again. */
      repeat?: true;
      /** With `repeat`: when the first copy arrived. */
      first_received_at?: string;
      /** A handshake accepted without the current key while listen verified: `missing` or `previous`. */
      handshake_key?: "missing" | "previous";
    }
  /** --drop-repeats: a repeated body answered 200 and not passed on. */
  | { type: "duplicate"; event: string; received_at: string; id: string; first_received_at?: string }
  | {
      type: "rejected";
      status: number;
      reason: string;
      detail?: string;
      received_at: string;
      remote_address?: string;
    }
  /**
   * The receiver's connection limit was reached (at most one per second while it is): `shed` connections were
   * answered 503 + Retry-After: 1 (every socket was busy), `evicted` idle or slow ones were closed to make room.
   */
  | {
      type: "connection_limit";
      at: string;
      shed: number;
      evicted: number;
      open: number;
      max_connections: number;
    }
  | { type: "tunnel_down"; at: string; grace_ms: number; reason?: string }
  | { type: "tunnel_up"; at: string; public_url?: string; url_changed: boolean }
  /** The forwarder's result on the wire: snake_case like every NDJSON field. */
  | ({ type: "forward"; retry_in_ms?: number; response_body?: string; response_truncated?: boolean } & Omit<
      ForwardResult,
      "retryInMs" | "responseBody" | "responseTruncated"
    >)
  /** When forwarding stops: what happened to the events passed to each target. */
  | { type: "forward_summary"; targets: TargetSummary[] }
  /**
   * When --exec stops, once any run started: runs ok, failed, and not finished (cut short or refused; the
   * `unfinished` line names them); `replay` runs the failed ones again (up to 10 ids; there must be a journal).
   */
  | {
      type: "exec_summary";
      command: string;
      ok: number;
      failed: number;
      failed_ids: string[];
      /** Runs cut short at exit, or refused: the `unfinished` line names them and how to catch up. */
      unfinished: number;
      replay?: string;
    }
  | (ExecReport & {
      type: "exec";
      id?: string;
      event: string;
    })
  | { type: "chain_saved"; order_id: number; dir: string; files: string[] }
  | { type: "warning"; message: string }
  | { type: "until"; event: string; order_id?: number }
  | {
      type: "interrupted";
      /** What the interruption counts as (its exit code is 128 + this signal's number). */
      signal: InterruptSignal;
      on_exit: OnExitAction;
      webhook_id?: number;
      /** Present when no signal was sent: stdout_closed, stderr_closed or parent_exited. */
      cause?: Exclude<InterruptCause, "SIGINT" | "SIGTERM" | "SIGHUP">;
      /**
       * The `certwh replay` command that delivers this session's events again, shell-quoted as the exit hint
       * prints it (the secret by its source, never its value); added by the command, when the hint has one
       * that runs as printed (a journal, an event, one --forward-to or --exec).
       */
      replay_command?: string;
    }
  /** At exit: exec runs and forwards that did not finish, and how to catch up (only when there are any). */
  | {
      type: "unfinished";
      journal: string | null;
      exec?: UnfinishedWork;
      /** One entry per --forward-to target with forwards left. */
      forward?: (UnfinishedWork & { url: string })[];
    };

/**
 * Every "type" listen --json prints, in the order its help lists them: "error" is the last line of a failure.
 * A Record over the union, so a new ListenEvent type that is not listed here fails to compile.
 */
const NDJSON_TYPES: Record<ListenEvent["type"] | "error", true> = {
  state: true,
  ready: true,
  event: true,
  duplicate: true,
  rejected: true,
  connection_limit: true,
  tunnel_down: true,
  tunnel_up: true,
  forward: true,
  forward_summary: true,
  exec: true,
  exec_summary: true,
  chain_saved: true,
  warning: true,
  until: true,
  interrupted: true,
  unfinished: true,
  error: true,
};
export const LISTEN_NDJSON_TYPES: readonly string[] = Object.keys(NDJSON_TYPES);
