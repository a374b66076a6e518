// What to say when a change sent to CertCentral failed. A definite refusal (CertCentral answered with an
// error) changed nothing, so a secret file written for it is removed. After an ambiguous failure (no
// answer, a 5xx, an unreadable 2xx) the change may have been applied anyway: nothing is undone, and the
// user is told to look (`certwh status`) before retrying.

import { ApiError } from "../../api/errors.js";
import type { Webhook } from "../../api/types.js";
import { isAmbiguousFailure } from "../../api/webhooks.js";
import { type CertwhError, InterruptedError } from "../../errors.js";
import { describeFailure, errorDocument, reword } from "../../io/exit-codes.js";
import { isLoopbackUrl } from "../../util/loopback.js";
import type { CommandContext } from "../context.js";
import { discardSecretFile, type ResolvedSecret } from "../options/secret-source.js";
import type { UrlPolicy } from "../options/webhook-flags.js";

/** The endpoint when the API is a sandbox on this computer and the endpoint is there too, else undefined. */
export function localEndpoint(policy: UrlPolicy, endpoint: string): string | undefined {
  return policy.allowLoopbackHttp && isLoopbackUrl(endpoint) ? endpoint : undefined;
}

/** certwh never repeats check-challenge by itself: a repeat of an accepted token is refused. */
export const TOKEN_MAY_BE_ACCEPTED =
  "CertCentral may have accepted the token; certwh does not send it again by itself (a second check of an " +
  "accepted token is refused). Run `certwh activate`: it works only if the token was accepted. If it fails, " +
  "`certwh verify --token <token>` with the same token while it is valid, or a new one from `certwh challenge`.";

/** A refused token may be one that was already used: by the endpoint itself, or a verify whose answer was lost. */
export const TOKEN_MAY_BE_USED =
  "If that token was already accepted (your endpoint submitted it, or a verify whose answer was lost), " +
  "`certwh activate` finishes instead.";

/** CertCentral answered with an error: nothing was applied. */
export function isDefiniteRefusal(err: unknown): boolean {
  return err instanceof ApiError && !isAmbiguousFailure(err);
}

/** After an interruption: its InterruptedError with `hint` (the next step); otherwise `err` as it is. */
export function interruptedWithHint(signal: AbortSignal, err: unknown, hint: string): unknown {
  const reason = signal.reason;
  return signal.aborted && reason instanceof InterruptedError ? reason.withHint(hint) : err;
}

/** The failure as describeFailure words it, with `lead` as the first line of the hint. */
export function withLeadHint(err: unknown, lead: string): CertwhError {
  // The lead already sends the user to `certwh status`; a general hint saying the same is left out.
  return reword(err, {
    hint: (hint) => (hint && !hint.includes("certwh status") ? `${lead}\n  ${hint}` : lead),
  });
}

/**
 * The error to throw after create/update failed. `applied` completes "CertCentral may have … anyway",
 * e.g. "created the webhook".
 */
export async function changeFailure(
  ctx: Pick<CommandContext, "io" | "signal">,
  err: unknown,
  secret: ResolvedSecret,
  applied: string,
  /** The endpoint sent, when it and the API (a sandbox) are on this computer: failures say so. */
  localEndpoint?: string,
): Promise<unknown> {
  if (isDefiniteRefusal(err)) {
    if (await discardSecretFile(secret)) {
      ctx.io.info(
        `Removed ${secret.writtenTo}: CertCentral refused the change, so nothing uses that secret.`,
      );
    }
    return localEndpoint ? reword(err, {}, { endpoint: localEndpoint, localEndpoint: true }) : err;
  }
  const lead = `CertCentral may have ${applied} anyway: check \`certwh status\` before retrying.${keptSecretNote(secret)}`;
  if (ctx.signal.aborted) return interruptedWithHint(ctx.signal, err, lead);
  return isAmbiguousFailure(err) ? withLeadHint(err, lead) : err;
}

/**
 * After a change that may have been applied (`applied`: reading it back showed it was): what became of the
 * generated secret it sent (" …", or "").
 */
export function keptSecretNote(secret: ResolvedSecret, applied = false): string {
  if (secret.writtenTo)
    return applied
      ? ` The webhook uses the secret in ${secret.writtenTo}.`
      : ` ${secret.writtenTo} was kept: the webhook may already use the secret in it.`;
  if (!secret.generated) return "";
  return applied
    ? " The webhook uses the generated secret: `certwh status --show-secret` shows it."
    : " If it did, `certwh status --show-secret` shows the generated secret.";
}

/**
 * `err` marked as reported (its --json document is printed), so main prints no second one; an interruption
 * stays one (main reports it with its own exit code).
 */
export function asReported(err: unknown): unknown {
  return err instanceof InterruptedError
    ? new InterruptedError(err.interruptedBy, err.message, { hint: err.hint, cause: err, reported: true })
    : reword(err, { reported: true });
}

/** What withReadBack needs of the output: whether --json is on, and a way to print the document. */
type JsonOutput = Pick<CommandContext["io"], "json" | "writeJson">;
/** The webhook as read back after a failed change. */
type ReadBack = Pick<Webhook, "id" | "endpoint" | "status">;

/**
 * A failed activate or deactivate, or an interrupted create or update-url, after which the webhook was read
 * back (`readBack`): under --json the error document carries the webhook as read back beside the `error`
 * object (id, endpoint, status), as create and update-url do, so a script need not parse the hint. Returns
 * the error to throw (marked reported then).
 */
export function withReadBack(ctx: { io: JsonOutput }, err: unknown, readBack?: ReadBack): unknown {
  if (!ctx.io.json || !readBack) return err;
  // A closed stdout takes no document.
  if (err instanceof InterruptedError && err.interruptedBy === "stdout_closed") return err;
  const { id, endpoint, status } = readBack;
  ctx.io.writeJson({ ...errorDocument(describeFailure(err)), id, endpoint, status });
  return asReported(err);
}

/**
 * The error to throw after activate or deactivate failed without a refusal: after an interruption, what to
 * check; after a failure the read-back did not turn into success, the status it showed (`stillNot`).
 */
export function switchFailure(
  ctx: Pick<CommandContext, "signal"> & { io: JsonOutput },
  err: unknown,
  id: number,
  action: "activate" | "deactivate",
  stillNot?: ReadBack,
): unknown {
  const maybe = (when: string) =>
    `CertCentral may have ${action}d webhook ${id}${when}: \`certwh status\` shows it; ` +
    `\`certwh ${action}\` is safe to run again.`;
  if (ctx.signal.aborted) return interruptedWithHint(ctx.signal, err, maybe(" before certwh stopped"));
  // No answer, and the webhook could not be read back either: the change may have been applied.
  if (!stillNot) return isAmbiguousFailure(err) ? withLeadHint(err, maybe(" anyway")) : err;
  const failure = withLeadHint(
    err,
    `Reading it back shows webhook ${id} is still ${stillNot.status}; \`certwh ${action}\` is safe to run again ` +
      "once CertCentral answers.",
  );
  return withReadBack(ctx, failure, stillNot);
}
