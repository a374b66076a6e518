// Confirm by reading back (issue 10): activate and deactivate are retried after a lost answer, and a
// retry of a change CertCentral already applied may be refused (400 webhook_invalid_action), as may an
// activate of a webhook that is already active. So after a timeout, a 5xx or webhook_invalid_action the
// webhook is read back (GET /webhook): if it is in the target state, the change succeeded, with a note.
// Shared by activate, deactivate, verify, the verification flow (create, update-url, listen) and listen's
// on-exit action. readBackWithin: one bounded look for a command stopped while its change was in flight.

import type { Clock } from "../util/clock.js";
import { deadline } from "../util/deadline.js";
import { ApiError } from "./errors.js";
import type { Webhook, WebhookApi } from "./types.js";
import { isAmbiguousFailure, readBackUntil } from "./webhooks.js";

type StatusAction = "activate" | "deactivate";

const TARGET: Record<StatusAction, string> = { activate: "active", deactivate: "inactive" };

export interface StatusChange {
  /** CertCentral refused or did not answer, and reading the webhook back showed an accepted state. */
  readBack: boolean;
  /** The status read back (only when readBack). */
  status?: string;
  /** One sentence saying what happened (only when readBack). */
  note?: string;
}

interface ChangeStatusOptions {
  signal?: AbortSignal;
  /** For one re-check, RECHECK_DELAY_MS later, after a lost answer (CertCentral may still be working). */
  clock?: Clock;
  /** The states that count as done (default: the target state, active or inactive). */
  accept?: (hook: Webhook) => boolean;
  /** Told the webhook as read back after a failure that the read-back did not turn into success. */
  onStillNot?: (hook: Webhook) => void;
}

/** Whether a failed activate/deactivate may hide that the webhook is in the target state anyway. */
function mayHaveReachedTarget(err: unknown): boolean {
  return isAmbiguousFailure(err) || (err instanceof ApiError && err.hasCode("webhook_invalid_action"));
}

function describeFailure(err: unknown, action: StatusAction, id: number): string {
  if (err instanceof ApiError && err.hasCode("webhook_invalid_action")) {
    return `CertCentral refused to ${action} webhook ${id} (${err.status} webhook_invalid_action)`;
  }
  return `CertCentral did not answer the ${action} of webhook ${id}`;
}

/**
 * PUT /webhook/{id}/activate|deactivate. When it fails in a way that may hide success, the webhook is read
 * back (when `api` can read it); an accepted state is success (readBack: true and a note). Otherwise the
 * original error is thrown.
 */
export async function changeStatus<A extends StatusAction>(
  api: Pick<WebhookApi, A> & Partial<Pick<WebhookApi, "getWebhook">>,
  id: number,
  action: A,
  opts: ChangeStatusOptions = {},
): Promise<StatusChange> {
  const { signal, clock } = opts;
  const target = TARGET[action];
  const accept = opts.accept ?? ((hook: Webhook) => hook.status === target);
  try {
    await (api[action] as WebhookApi[StatusAction]).call(api, id, { signal });
    return { readBack: false };
  } catch (err) {
    // Without a way to read the webhook (a narrowed API), the failure stands.
    if (signal?.aborted || !mayHaveReachedTarget(err) || !api.getWebhook) throw err;
    const looks = isAmbiguousFailure(err) && clock ? 2 : 1;
    let seen: Webhook | undefined;
    const now = await readBackUntil(
      api.getWebhook.bind(api),
      { looks, clock, signal, aborted: () => err },
      (hook) => {
        if (hook.id === id) seen = hook;
        return hook.id === id && accept(hook);
      },
    );
    if (!now) {
      if (seen) opts.onStillNot?.(seen);
      throw err;
    }
    const status = String(now.status);
    return {
      readBack: true,
      status,
      note: `${describeFailure(err, action, id)}, but reading it back shows it is ${status}.`,
    };
  }
}

/** How long a command stopped mid-change looks at what its change did (a person is waiting). */
export const INTERRUPTED_READ_BACK_MS = 5000;

/**
 * The account's webhook, read once within `ms`: for a command stopped while its change was in flight (its own
 * signal is aborted, so this read has its own limit), and cut short when `hurry` aborts (a second Ctrl-C).
 * null: the account has no webhook; undefined: the read failed, ran out of time or was cut short, so the
 * state is unknown.
 */
export async function readBackWithin(
  api: Pick<WebhookApi, "getWebhook">,
  ms: number,
  hurry?: AbortSignal,
): Promise<Webhook | null | undefined> {
  const limit = deadline(ms, hurry);
  try {
    return await api.getWebhook({ signal: limit.signal });
  } catch {
    return undefined;
  } finally {
    limit.clear();
  }
}
