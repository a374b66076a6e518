// A webhook that points at a `certwh listen` receiver (the tunnel URL listen gives it): what status,
// activate and deactivate say about it. Such a receiver lives only as long as its listen session, and the
// webhook still has that session's secret and events: activating it after the session closed posts into a
// dead tunnel, so the way on is `certwh listen` again or update-url to the real endpoint. No command can
// tell whether a listen session is running now (a real one leaves no runtime file), so the words say "if".

import type { Webhook } from "../../api/types.js";
import { looksLikeListenEndpoint } from "../../listen/guard.js";

/** Whether the webhook points at a `certwh listen` receiver. */
export const atListenReceiver = (hook: Pick<Webhook, "endpoint">, env: NodeJS.ProcessEnv): boolean =>
  looksLikeListenEndpoint(hook.endpoint, env);

/** status --json's `next` for an inactive one. */
export const LEFTOVER_NEXT = "certwh update-url --url <https-url>";

/** How to point it at the real endpoint, with what the session left in it. */
const REPOINT =
  `point it at your endpoint with \`${LEFTOVER_NEXT}\`, giving its events, settings and secret ` +
  "(--events, --secret-env or --secret-file): the webhook still has the listen session's. " +
  "If a `listen --on-exit restore` failed, it printed the whole command.";

/** The ways on from a listen receiver, for a line that says what happened (deactivate's success). */
export const LEFTOVER_WAYS_ON =
  "`certwh listen` takes it again; `certwh update-url --url <https-url>` points it at your endpoint " +
  "(activating it would post to a listen session that is no longer running).";

/** status's hint for a webhook at a listen receiver; undefined when it is not at one, or pending. */
export function leftoverHint(hook: Webhook, env: NodeJS.ProcessEnv): string | undefined {
  if (!atListenReceiver(hook, env)) return undefined;
  if (hook.status === "inactive") {
    return (
      "Inactive, and it points at a `certwh listen` receiver that closed with its session: `certwh activate` " +
      `would send events there. Run \`certwh listen\` to take it again, or ${REPOINT}`
    );
  }
  if (hook.status === "active") {
    return (
      "It points at a `certwh listen` receiver. If no listen session is running now, CertCentral is posting " +
      `into a closed tunnel: stop that with \`certwh deactivate\`, or ${REPOINT}`
    );
  }
  return undefined;
}

/** activate's warning for a webhook at a listen receiver. */
export const activateWarning = (id: number): string =>
  `Webhook ${id} points at a \`certwh listen\` receiver: its events go nowhere unless that listen session ` +
  `is running. If it is not, \`certwh deactivate\` stops them, or \`${LEFTOVER_NEXT}\` points it at your endpoint.`;
