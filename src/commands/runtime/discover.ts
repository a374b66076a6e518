// Find the sandboxes of this user that announced themselves (announce.ts): every runtime file whose process
// is alive and whose sandbox answers a cheap authenticated call with the key in the file. A file whose
// process is gone, or whose address answers no more (refused, another key), is stale: it is removed. One
// that is only slow to answer (a busy machine) keeps its place: skipping it would quietly send the event
// to an older sandbox, which trigger would then call the newest.

import { checkBaseUrl } from "../../api/base-url.js";
import { ApiTimeoutError } from "../../api/errors.js";
import {
  processAlive,
  type RuntimeEntry,
  readRuntimeFiles,
  removeRuntimeFile,
  runtimeDir,
} from "../../config/runtime-file.js";
import { isLoopbackUrl } from "../../util/loopback.js";
import { userAgent } from "../../util/version.js";

/** Time a live sandbox has to answer the probe (it answers in milliseconds, even on a busy machine). */
const PROBE_TIMEOUT_MS = 3_000;

/** What the `kind` of an entry is called for people: the command that runs it. */
export function describeKind(entry: RuntimeEntry): string {
  return entry.kind === "listen-sandbox" ? "certwh listen --sandbox" : "certwh sandbox";
}

type Verdict = "live" | "stale" | "unsure";

async function probe(entry: RuntimeEntry, signal?: AbortSignal): Promise<Verdict> {
  if (!processAlive(entry.pid)) return "stale";
  // Only loopback sandboxes announce themselves; anything else in the file is not ours to send a key to.
  let base: URL;
  try {
    base = new URL(checkBaseUrl(entry.url, "The runtime file's URL"));
  } catch {
    return "stale";
  }
  if (!isLoopbackUrl(base.href)) return "stale";
  const { createSandboxAdmin } = await import("../../api/sandbox-admin.js");
  const admin = createSandboxAdmin({
    sandboxUrl: base,
    apiKey: entry.apiKey,
    timeoutMs: PROBE_TIMEOUT_MS,
    userAgent: userAgent(),
  });
  try {
    await admin.ping({ signal });
    return "live";
  } catch (err) {
    if (signal?.aborted) throw signal.reason;
    // A process too busy to answer is not proven gone: keep it, and its file.
    return err instanceof ApiTimeoutError ? "unsure" : "stale";
  }
}

/**
 * The announced sandboxes not known to be gone, newest first: those that answered, and those too slow to
 * answer the probe in PROBE_TIMEOUT_MS (the caller's own request, with its timeout, then finds out). Stale
 * files are removed on the way.
 */
export async function discoverSandboxes(
  env: NodeJS.ProcessEnv,
  signal?: AbortSignal,
): Promise<RuntimeEntry[]> {
  const files = readRuntimeFiles(runtimeDir(env));
  const verdicts = await Promise.all(
    files.map(async (f) => (f.entry ? probe(f.entry, signal) : ("stale" as const))),
  );
  const running: RuntimeEntry[] = [];
  files.forEach((f, i) => {
    if (verdicts[i] === "stale" || !f.entry) removeRuntimeFile(f.path);
    else running.push(f.entry);
  });
  return running.sort((a, b) => Date.parse(b.startedAt) - Date.parse(a.startedAt));
}
