// --on-exit deactivate|restore|keep: what listen leaves behind in the account, run exactly once however
// listen ends (--until, --timeout, a signal, a fatal error), and only when listen changed the account.
// The calls get their own time limit and ignore the interruption: Ctrl-C must not skip the cleanup.
// A second Ctrl-C (`hurry`) cuts them short, and the outcome says so; a third exits at once.

import { ApiError } from "../api/errors.js";
import { changeStatus } from "../api/read-back.js";
import type { Webhook, WebhookApi } from "../api/types.js";
import { normaliseSettings } from "../api/webhooks.js";
import { deadline } from "../util/deadline.js";
import { sameUrl } from "../util/same-url.js";
import { updateUrlLine } from "../util/update-url-line.js";
import { type Claim, looksLikeListenEndpoint, restoreRequest } from "./guard.js";
import type { ListenEvent, OnExitAction } from "./types.js";

interface OnExitInput {
  api: WebhookApi;
  action: OnExitAction;
  claim: Claim;
  /**
   * Whether listen saw the webhook become active. The account is read back too: an activate cut short by
   * Ctrl-C may still have been applied by CertCentral.
   */
  active: boolean;
  publicUrl?: string;
  /**
   * The webhook lives in listen's in-process sandbox, which stops with listen: messages name no command to
   * run later (it would reach the configured account, not the sandbox).
   */
  sandbox?: boolean;
  timeoutMs: number;
  /** For the record of listen's endpoints: whether the previous endpoint was a listen receiver. */
  env: NodeJS.ProcessEnv;
  /** Aborted by a second interruption: give up the calls now. */
  hurry?: AbortSignal;
  emit(event: ListenEvent): void;
}

interface OnExitOutcome {
  outcome: "done" | "skipped" | "failed";
  message: string;
  /**
   * A failed action: the command that finishes the job (also in the message): the `certwh update-url` that
   * puts the webhook back for a restore, `certwh deactivate` for a deactivate.
   */
  command?: string;
}

/**
 * Where the recovery command reads the previous secret from. listen read that secret from CertCentral at
 * takeover and never prints a secret, and CertCentral now holds this session's: the user supplies it.
 */
export const PREVIOUS_SECRET_ENV = "CERTWH_PREVIOUS_SECRET";

/**
 * The update-url that does what the failed restore asked for (restoreRequest): endpoint, events, settings and
 * secret. What update-url cannot say is left out (restoreGaps names it): events CertCentral did not report
 * (or none: `--events ""` is refused), an empty frequency, chain settings that differ (--chain sets both).
 */
export function restoreCommand(previous: Webhook): string {
  const s = normaliseSettings(previous.webhook_settings);
  const [a, b] = [s.webhook_send_certificate_chain, s.webhook_send_instant_issued_certificate_chain];
  const chain = a === undefined ? b : b === undefined || a === b ? a : undefined;
  const onOff = (flag: string | undefined) => (flag === undefined ? undefined : flag === "1");
  const frequency = s.webhook_notification_frequency;
  return updateUrlLine({
    url: previous.endpoint,
    ...(previous.events?.length ? { events: previous.events.join(",") } : {}),
    ...(previous.secret ? { secretEnv: PREVIOUS_SECRET_ENV } : { removeSecret: true }),
    chain: onOff(chain),
    instant: onOff(s.instant_issue_webhook_notification),
    ...(frequency?.length ? { frequency: frequency.join(",") } : {}),
  });
}

/**
 * What the restore would have put back that restoreCommand cannot say, in words for the user to set by hand
 * (events CertCentral did not report are left alone by the restore too: nothing to say).
 */
export function restoreGaps(previous: Webhook): string[] {
  const s = normaliseSettings(previous.webhook_settings);
  const [a, b] = [s.webhook_send_certificate_chain, s.webhook_send_instant_issued_certificate_chain];
  const onOff = (flag: string) => (flag === "1" ? "on" : "off");
  return [
    ...(previous.events?.length === 0 ? ["its events (it had none subscribed)"] : []),
    ...(a !== undefined && b !== undefined && a !== b
      ? [
          `the certificate chain settings (webhook_send_certificate_chain ${onOff(a)}, ` +
            `webhook_send_instant_issued_certificate_chain ${onOff(b)}: --chain sets both alike)`,
        ]
      : []),
    ...(s.webhook_notification_frequency?.length === 0 ? ["the notification days (it had none)"] : []),
  ];
}

/** The failed restore's advice: the command, where its secret comes from, and what it cannot put back. */
function restoreAdvice(previous: Webhook, command: string): string {
  const gaps = restoreGaps(previous);
  const put = gaps.length
    ? `Put back its endpoint, secret and what update-url can say of its events and settings with \`${command}\``
    : `Put back its endpoint, events, settings and secret with \`${command}\``;
  const byHand = gaps.length
    ? ` update-url cannot set ${gaps.join(" or ")}: set that again by hand in the CertCentral console.`
    : "";
  if (!previous.secret) return `${put} (it had no secret).${byHand}`;
  return (
    `${put}, with the environment variable ${PREVIOUS_SECRET_ENV} holding the secret ${previous.endpoint} ` +
    "checks (or --secret-file PATH instead of --secret-env): listen read that secret from CertCentral when it took the " +
    "webhook over and never prints secrets; without it the webhook keeps this session's secret, and your " +
    `endpoint refuses every delivery.${byHand}`
  );
}

/** The command that stops CertCentral posting into the closed session, when the on-exit call could not. */
const DEACTIVATE_COMMAND = "certwh deactivate";
const STOP_IT = `\`${DEACTIVATE_COMMAND}\` stops CertCentral posting into this closed session`;

/** An API failure in a few words: "HTTP 503 internal_error", else the error's message. */
export function describeError(err: unknown): string {
  if (err instanceof ApiError) return `HTTP ${err.status}${err.code ? ` ${err.code}` : ""}`;
  return err instanceof Error ? err.message : String(err);
}

async function deactivate(input: OnExitInput, signal: AbortSignal, status?: string) {
  const { api, active, sandbox } = input;
  const id = input.claim.webhookId;
  if (!active) {
    const message =
      status !== "pending"
        ? `Webhook ${id} is ${status === "inactive" ? "already inactive" : "not active"}: CertCentral sends nothing to it.`
        : sandbox
          ? `Webhook ${id} stays pending in the in-process sandbox, which stops with listen.`
          : `Webhook ${id} stays pending (its verification did not finish) and points at this session's closed ` +
            "receiver: CertCentral sends nothing to it. The next `certwh listen` takes it over; " +
            "`certwh update-url --url https://…` points it at your endpoint.";
    return { outcome: "skipped" as const, message };
  }
  // A retried deactivate that CertCentral already applied may be refused: the webhook is read back.
  const change = await changeStatus(api, id, "deactivate", { signal });
  return {
    outcome: "done" as const,
    message:
      (sandbox
        ? `Deactivated webhook ${id} in the in-process sandbox, which stops with listen.`
        : `Deactivated webhook ${id}: CertCentral stops posting to this closed session. \`certwh listen\` takes it again; \`certwh update-url --url https://…\` points it at your endpoint (activating it would post to this closed session).`) +
      (change.note ? ` (${change.note})` : ""),
  };
}

async function restore(input: OnExitInput, signal: AbortSignal, status?: string): Promise<OnExitOutcome> {
  const { api, claim } = input;
  const id = claim.webhookId;
  const previous = claim.previous;
  // Nothing worth restoring: listen created the webhook, or it pointed at another listen session's receiver
  // (one that crashed or used --on-exit keep): putting that back would aim CertCentral at a dead tunnel, and
  // what came before it is unknown to this session.
  if (!previous || looksLikeListenEndpoint(previous.endpoint, input.env)) {
    const result = await deactivate(input, signal, status);
    const message = !previous
      ? `There was no webhook before this listen session created webhook ${id}, so there is nothing to restore. ${result.message}`
      : `Before this session webhook ${id} pointed at ${previous.endpoint}, a leftover \`certwh listen\` receiver, ` +
        `so there is nothing worth restoring. ${result.message} Point it at your real endpoint with ` +
        "`certwh update-url --url https://…`.";
    return { ...result, message };
  }
  try {
    await api.updateWebhook(id, restoreRequest(previous), { signal });
  } catch (err) {
    // Still pointing at the closing tunnel: at least stop CertCentral posting into it.
    const fallback = await deactivate(input, signal).catch(() => undefined);
    // The fallback failed (or was cut short) while the webhook is active: it still posts into this session.
    const stillActive = !fallback && input.active;
    const failed =
      `Could not restore webhook ${id} to ${previous.endpoint} (${describeError(err)}). ` +
      (fallback?.outcome === "done" ? `It was deactivated instead. ` : "") +
      (stillActive && !input.sandbox
        ? `Deactivating it failed too: it is still active, and ${STOP_IT}. `
        : "");
    // The in-process sandbox stops with listen: a command run later would reach the configured account.
    if (input.sandbox) return { outcome: "failed", message: failed.trimEnd() };
    const command = restoreCommand(previous);
    return {
      outcome: "failed",
      message: `${failed}It still has this session's endpoint, secret and events. ${restoreAdvice(previous, command)}`,
      command,
    };
  }
  return {
    outcome: "done",
    message:
      `Restored webhook ${id}: endpoint ${previous.endpoint}, its events and its secret are back ` +
      `(it was ${previous.status}). CertCentral requires that endpoint to be verified again before events ` +
      "flow: run `certwh challenge`, then `certwh verify --token <token>` with the token it receives.",
  };
}

/**
 * The failed (or cut short) action's advice, and its command: the webhook may still be active at this
 * session's receiver, so `certwh deactivate`; a restore that had somewhere to go also names its update-url.
 */
function afterFailure(input: OnExitInput, failed: string): OnExitOutcome {
  const stop = `If it is still active, ${STOP_IT}; check with \`certwh status\`.`;
  const previous = input.claim.previous;
  if (input.action === "restore" && previous && !looksLikeListenEndpoint(previous.endpoint, input.env)) {
    const command = restoreCommand(previous);
    return { outcome: "failed", message: `${failed} ${stop} ${restoreAdvice(previous, command)}`, command };
  }
  return { outcome: "failed", message: `${failed} ${stop}`, command: DEACTIVATE_COMMAND };
}

/** Runs the action; never throws (a failure is reported in the outcome). */
export async function runOnExit(input: OnExitInput): Promise<OnExitOutcome> {
  const id = input.claim.webhookId;
  if (input.action !== "keep") {
    const started = { action: input.action, webhook_id: id, timeout_ms: input.timeoutMs };
    input.emit({ type: "state", stage: "on_exit_started", ...started });
  }
  const limit = deadline(input.timeoutMs, input.hurry);
  const { signal } = limit;
  let result: OnExitOutcome;
  try {
    if (input.action === "keep") {
      result = {
        outcome: "done",
        message: input.sandbox
          ? `Kept webhook ${id} as it is; the in-process sandbox stops with listen.`
          : input.active
            ? `Kept webhook ${id} active on ${input.publicUrl ?? "the tunnel"}: CertCentral keeps posting there (and failing) until you run \`certwh deactivate\` or \`certwh update-url\`.`
            : `Kept webhook ${id} as it is (pending verification).`,
      };
    } else {
      // Someone may have moved the webhook meanwhile (another `certwh listen --force`, a colleague,
      // update-url): then it is no longer this session's to deactivate or restore.
      const now = await input.api.getWebhook({ signal });
      if (!now || now.id !== id) {
        result = {
          outcome: "skipped",
          message: `Webhook ${id} no longer exists in the account; nothing to undo.`,
        };
      } else if (input.publicUrl && !sameUrl(now.endpoint, input.publicUrl)) {
        result = {
          outcome: "skipped",
          message:
            `Webhook ${id} now points at ${now.endpoint}, not at this session's receiver: someone changed it ` +
            "meanwhile (another `certwh listen`?), so it is left as it is.",
        };
      } else {
        // The account's own answer is the freshest: someone may have deactivated it meanwhile.
        const active = now.status === "active";
        result =
          input.action === "deactivate"
            ? await deactivate({ ...input, active }, signal, String(now.status))
            : await restore({ ...input, active }, signal, String(now.status));
      }
    }
  } catch (err) {
    const failed = `The on-exit action (${input.action}) failed for webhook ${id} (${describeError(err)}).`;
    result = input.sandbox ? { outcome: "failed", message: failed } : afterFailure(input, failed);
  } finally {
    limit.clear();
  }
  input.emit({
    type: "state",
    stage: "on_exit",
    action: input.action,
    outcome: result.outcome,
    webhook_id: id,
    message: result.message,
    ...(result.command ? { command: result.command } : {}),
  });
  return result;
}
