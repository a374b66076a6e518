// CertCentral reports a verified but not yet activated webhook as `pending`, like an unverified one
// (spec §14.2: no separate status), and does not say whether a challenge token is open. So that `certwh
// status` can name the real next step, certwh leaves small notes in its config directory: which API,
// webhook and endpoint `verify` verified without activating it (--no-activate, or the activate failed;
// next: activate), and which one was last sent a challenge and until when (next: verify --token). They are
// hints only: never trusted for anything else, ignored when they do not match the webhook read from the
// account, and failures to read or write them are ignored.

import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Webhook } from "../../api/types.js";
import { configDir } from "../../config/store.js";
import { formatClockTime } from "../../io/render-stage.js";
import { makeDirs } from "../../util/make-dirs.js";
import { readBounded } from "../../util/read-bounded.js";
import { challengeTokenSource } from "../../util/slack.js";

const VERIFIED = "verified.json";
const CHALLENGED = "challenged.json";

interface Mark {
  base_url: string;
  webhook_id: number;
  endpoint: string;
  /** The challenge note: when its token expires (epoch ms). */
  expires_at?: number;
}

const path = (env: NodeJS.ProcessEnv, file: string) => join(configDir(env), file);

async function write(env: NodeJS.ProcessEnv, file: string, mark: Mark): Promise<void> {
  try {
    await makeDirs(configDir(env), 0o700);
    await writeFile(path(env, file), `${JSON.stringify(mark)}\n`, { mode: 0o600 });
  } catch {
    // A hint only.
  }
}

/** The note in `file` when it is about `hook` as read from the account at `baseUrl`. */
async function read(env: NodeJS.ProcessEnv, file: string, baseUrl: string, hook: Webhook) {
  try {
    const text = await readBounded(path(env, file), {
      limitBytes: 16 * 1024,
      role: { what: "a status note" },
    });
    const mark = JSON.parse(text) as Partial<Mark>;
    const same = mark.base_url === baseUrl && mark.webhook_id === hook.id && mark.endpoint === hook.endpoint;
    return same ? mark : undefined;
  } catch {
    return undefined;
  }
}

/** Remember that `hook` was verified (check-challenge accepted) at `baseUrl`. */
export async function markVerified(env: NodeJS.ProcessEnv, baseUrl: string, hook: Webhook): Promise<void> {
  await write(env, VERIFIED, { base_url: baseUrl, webhook_id: hook.id, endpoint: hook.endpoint });
}

/** Forget it (the webhook was activated, or is no longer the one verified). */
export async function clearVerified(env: NodeJS.ProcessEnv): Promise<void> {
  await rm(path(env, VERIFIED), { force: true }).catch(() => undefined);
}

/** Whether `hook`, as read from the account at `baseUrl`, is the one verify last verified. */
export async function wasVerified(env: NodeJS.ProcessEnv, baseUrl: string, hook: Webhook): Promise<boolean> {
  return (await read(env, VERIFIED, baseUrl, hook)) !== undefined;
}

/** Remember that a challenge token went to `hook`'s endpoint, valid until `expiresAt`. */
export async function markChallenged(
  env: NodeJS.ProcessEnv,
  baseUrl: string,
  hook: Pick<Webhook, "id" | "endpoint">,
  expiresAt: number,
): Promise<void> {
  const mark = { base_url: baseUrl, webhook_id: hook.id, endpoint: hook.endpoint, expires_at: expiresAt };
  await write(env, CHALLENGED, mark);
}

/**
 * Forget the challenge note: its token was accepted (verify), or voided by the challenge that create,
 * update-url or listen is about to send, so `status` must not name it again.
 */
export async function forgetChallenge(env: NodeJS.ProcessEnv): Promise<void> {
  await rm(path(env, CHALLENGED), { force: true }).catch(() => undefined);
}

/** When the challenge certwh last sent to `hook` expires, if it has not yet (`now`); else undefined. */
export async function openChallenge(
  env: NodeJS.ProcessEnv,
  baseUrl: string,
  hook: Webhook,
  now: number,
): Promise<number | undefined> {
  const expires = (await read(env, CHALLENGED, baseUrl, hook))?.expires_at;
  return typeof expires === "number" && expires > now ? expires : undefined;
}

/**
 * The next step while a token certwh sent to `hook` is still valid: use it, since a new challenge voids it.
 * Undefined when this machine knows of no such token.
 */
export async function openChallengeHint(
  env: NodeJS.ProcessEnv,
  baseUrl: string,
  hook: Webhook,
  now: number,
): Promise<string | undefined> {
  const until = await openChallenge(env, baseUrl, hook, now);
  if (until === undefined) return undefined;
  return (
    `certwh sent a challenge token to ${hook.endpoint}, valid until ${formatClockTime(until)}: give ` +
    `\`certwh verify --token <token>\` ${challengeTokenSource(hook.endpoint)} (the latest one; ` +
    "`certwh logs` shows the deliveries). If it never arrived, `certwh challenge` sends a new one, which " +
    "voids it."
  );
}
