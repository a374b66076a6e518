// --public-url-file: the user's own tunnel (cloudflared, a reverse proxy, a CI tunnel) writes its current
// public base URL into a file. certwh reads it at start and follows it: an emptied or removed file is a
// drop, a new URL is a reconnect at another address (listen then re-points and re-verifies the webhook).

import { existsSync } from "node:fs";
import { TunnelError } from "../errors.js";
import { readBounded } from "../util/read-bounded.js";
import { parsePublicBaseUrl } from "./external.js";
import { StatusListeners, type Tunnel } from "./tunnel.js";

interface UrlFileTunnelOptions {
  /** How often the file is looked at (fs.watch is unreliable across editors and network file systems). */
  pollMs?: number;
  /** How long start() waits for a first URL before giving up (exit 7). */
  startTimeoutMs?: number;
}

/** The most certwh reads of a URL file: one URL, perhaps a line or two more. */
const URL_FILE_LIMIT_BYTES = 16 * 1024;

/**
 * The URL in the file, undefined when the file is missing or blank; a bad URL is a usage error, a file that
 * cannot be read (a folder, no permission, too large) a FileError naming the cause.
 */
async function readUrl(path: string, signal?: AbortSignal): Promise<URL | undefined> {
  const raw = await readBounded(path, {
    limitBytes: URL_FILE_LIMIT_BYTES,
    role: { what: "--public-url-file" },
    signal,
    missingOk: true,
  });
  const text = raw?.trim() ?? "";
  return text === "" ? undefined : parsePublicBaseUrl(text.split(/\s+/)[0], `The URL in ${path}`);
}

export function createUrlFileTunnel(path: string, opts: UrlFileTunnelOptions = {}): Tunnel {
  const pollMs = opts.pollMs ?? 500;
  const listeners = new StatusListeners();
  let timer: NodeJS.Timeout | undefined;
  let current: string | undefined;

  // A change counts once two reads in a row agree: a tunnel that rewrites the file (truncate, then write)
  // would otherwise look like a drop and a reconnect. Reads never overlap: each one schedules the next.
  let candidate: { href: string | undefined } | undefined;
  const poll = async () => {
    let url: URL | undefined;
    let reason = `${path} is empty or missing`;
    try {
      url = await readUrl(path);
    } catch (err) {
      // A half-written or invalid URL counts as "down" until it is fixed; the reason says which.
      reason = `${path} holds no usable URL: ${(err as Error).message}`;
    }
    const next = url?.href;
    if (next === current) {
      candidate = undefined;
    } else if (!candidate || candidate.href !== next) {
      candidate = { href: next };
    } else {
      candidate = undefined;
      current = next;
      listeners.emit(url ? { state: "connected", url } : { state: "closed", reason });
    }
  };
  const schedule = () => {
    timer = setTimeout(() => {
      void poll().finally(() => {
        if (timer) schedule();
      });
    }, pollMs);
    timer.unref();
  };

  return {
    description: `your tunnel (URL from ${path})`,
    async start(_localPort, signal) {
      const deadline = Date.now() + (opts.startTimeoutMs ?? 20_000);
      for (;;) {
        signal?.throwIfAborted();
        const url = await readUrl(path, signal);
        if (url) {
          current = url.href;
          schedule();
          return url;
        }
        // A missing file is most likely a typo: say so at once. An empty one is a tunnel still starting.
        const exists = existsSync(path);
        if (!exists || Date.now() >= deadline) {
          const why = exists ? "the file stayed empty" : "no such file";
          throw new TunnelError(`No public URL in ${path} (${why}).`, {
            hint: "Start your tunnel so that it writes its https:// base URL into that file, then run listen again.",
          });
        }
        await new Promise((r) => setTimeout(r, Math.min(pollMs, 200)));
      }
    },
    onStatus: (listener) => listeners.add(listener),
    async close() {
      if (timer) clearTimeout(timer);
      timer = undefined;
      listeners.clear();
    },
  };
}
