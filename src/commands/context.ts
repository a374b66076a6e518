// Everything a command needs from the outside world, injected so tests can replace any of it.

import type { WebhookApi } from "../api/types.js";
import type { GlobalFlags, ResolvedSettings } from "../config/types.js";
import { AuthError } from "../errors.js";
import { type ChalkConstructor, colourOn, Output, type OutputStream } from "../io/output.js";
import { createPrompter, type Prompter } from "../io/prompt.js";
import { type Clock, systemClock } from "../util/clock.js";
import { registerSecret } from "../util/redact.js";
import { userAgent } from "../util/version.js";
import { loginLine } from "./options/login-line.js";

export interface CommandContext {
  io: Output;
  env: NodeJS.ProcessEnv;
  globals: GlobalFlags;
  /** A person can answer prompts: stdin is a TTY, CI is unset and --no-input was not given. */
  interactive: boolean;
  /** Aborted on SIGINT/SIGTERM; its reason is an InterruptedError. */
  signal: AbortSignal;
  /**
   * Asking for it means a second Ctrl-C aborts this signal instead of exiting at once (see Interrupts.hurry):
   * for a command that can cut its final wait short and still report.
   */
  hurry(): AbortSignal;
  clock: Clock;
  prompt: Prompter;
  /** Resolved configuration (flag > env > profile > default), read once. */
  settings(): Promise<ResolvedSettings>;
  /** The CertCentral client for the resolved profile; AuthError when no API key is configured. */
  api(): Promise<WebhookApi>;
}

interface ContextInit {
  globals: GlobalFlags;
  env?: NodeJS.ProcessEnv;
  stdout?: OutputStream;
  stderr?: OutputStream;
  stdinIsTTY?: boolean;
  signal?: AbortSignal;
  hurry?: () => AbortSignal;
  clock?: Clock;
  /** chalk's class, when colourOn() said colour will be shown (loaded by the caller, asynchronously). */
  chalk?: ChalkConstructor;
}

/** Where and how to reach a CertCentral (or sandbox) API. */
interface ApiConnection {
  baseUrl: string;
  apiKey: string;
  timeoutMs: number;
}

/**
 * The one way a command builds a CertCentral client: certwh's User-Agent, the run's clock, --verbose
 * traces, and retry waits and read-back notices as warnings on stderr. The key is registered for redaction.
 */
export async function buildApi(
  ctx: Pick<CommandContext, "io" | "clock">,
  conn: ApiConnection,
): Promise<WebhookApi> {
  registerSecret(conn.apiKey);
  const [{ createWebhookApi }, v8] = await Promise.all([import("../api/webhooks.js"), import("node:v8")]);
  // Else V8 re-compiles undici's WebAssembly parser in the background and exit waits (status 1.6× the time).
  v8.setFlagsFromString("--liftoff-only");
  return createWebhookApi({
    ...conn,
    userAgent: userAgent(),
    clock: ctx.clock,
    trace: (line) => ctx.io.debug(line),
    onRetry: ({ delayMs, reason }) => ctx.io.warn(`${reason}; retrying in ${(delayMs / 1000).toFixed(1)}s`),
    onNotice: (text) => ctx.io.warn(text),
  });
}

export function createContext(init: ContextInit): CommandContext {
  const env = init.env ?? process.env;
  const globals = init.globals;
  const stderr = init.stderr ?? process.stderr;
  const color = colourOn(globals.color, env, stderr);
  // TERM=dumb (Emacs' shell, some consoles) shows cursor movement as text: plain lines, and no prompts.
  const dumb = env.TERM === "dumb";
  const io = new Output({
    stdout: init.stdout ?? process.stdout,
    stderr,
    json: globals.json,
    color,
    verbose: globals.verbose,
    chalk: init.chalk,
    dumbTerminal: dumb,
  });
  const ci = env.CI !== undefined && env.CI !== "" && env.CI !== "false" && env.CI !== "0";
  const interactive = globals.input && !ci && !dumb && (init.stdinIsTTY ?? process.stdin.isTTY === true);
  const signal = init.signal ?? new AbortController().signal;
  const clock = init.clock ?? systemClock;

  let settings: Promise<ResolvedSettings> | undefined;
  let api: Promise<WebhookApi> | undefined;
  const ctx: CommandContext = {
    io,
    env,
    globals,
    interactive,
    signal,
    hurry: init.hurry ?? (() => new AbortController().signal),
    clock,
    prompt: createPrompter(interactive, signal, color),
    settings() {
      settings ??= import("../config/resolve.js").then((m) =>
        m.resolveSettings(globals, env, io, { signal }),
      );
      return settings;
    },
    api() {
      api ??= (async () => {
        const s = await ctx.settings();
        if (!s.apiKey) {
          // The profile in use (flag or CERTWH_PROFILE), so the login printed stores the key there.
          const profile = s.profile === "default" ? undefined : s.profile;
          throw new AuthError("No CertCentral API key is configured.", {
            hint: `Set CERTWH_API_KEY (or DIGICERT_API_KEY), or run \`${loginLine({ ...globals, profile })}\`.`,
          });
        }
        return buildApi(ctx, { baseUrl: s.baseUrl, apiKey: s.apiKey, timeoutMs: s.requestTimeoutMs });
      })();
      return api;
    },
  };
  return ctx;
}
