// CertCentral reports a verified but not yet activated webhook as `pending`, like an unverified one
// (spec §14.2: no separate status). So that `certwh status` after `verify --no-activate` can say the next
// step is `certwh activate`, not a new challenge, verify leaves a small note in certwh's config directory:
// which API, webhook and endpoint it verified. It is a hint only: never trusted for anything else, ignored
// when it does not match the webhook read from the account, and failures to read or write it are ignored.

import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Webhook } from "../../api/types.js";
import { configDir } from "../../config/store.js";
import { readBounded } from "../../util/read-bounded.js";

const FILE = "verified.json";

interface Mark {
  base_url: string;
  webhook_id: number;
  endpoint: string;
}

const path = (env: NodeJS.ProcessEnv) => join(configDir(env), FILE);

/** Remember that `hook` was verified (check-challenge accepted) at `baseUrl`. */
export async function markVerified(env: NodeJS.ProcessEnv, baseUrl: string, hook: Webhook): Promise<void> {
  const mark: Mark = { base_url: baseUrl, webhook_id: hook.id, endpoint: hook.endpoint };
  try {
    await mkdir(configDir(env), { recursive: true, mode: 0o700 });
    await writeFile(path(env), `${JSON.stringify(mark)}\n`, { mode: 0o600 });
  } catch {
    // A hint only.
  }
}

/** Forget it (the webhook was activated, or is no longer the one verified). */
export async function clearVerified(env: NodeJS.ProcessEnv): Promise<void> {
  await rm(path(env), { force: true }).catch(() => undefined);
}

/** Whether `hook`, as read from the account at `baseUrl`, is the one verify last verified. */
export async function wasVerified(env: NodeJS.ProcessEnv, baseUrl: string, hook: Webhook): Promise<boolean> {
  try {
    const text = await readBounded(path(env), {
      limitBytes: 16 * 1024,
      role: { what: "the verification note" },
    });
    const mark = JSON.parse(text) as Partial<Mark>;
    return mark.base_url === baseUrl && mark.webhook_id === hook.id && mark.endpoint === hook.endpoint;
  } catch {
    return false;
  }
}
