// certwh sandbox: run the CertCentral emulator in the foreground until Ctrl-C.

import { once } from "node:events";
import { checkApiKey } from "../config/settings.js";
import { CertwhError, describeInterruptCause, InterruptedError, UsageError } from "../errors.js";
import type { Delivery, RecordedRequest, Sandbox } from "../sandbox/types.js";
import { shellWord } from "../util/shell-word.js";
import type { CommandContext } from "./context.js";
import { parsePort } from "./options/flag-values.js";
import { announce } from "./runtime/announce.js";
import type { SandboxFlags } from "./specs/sandbox.js";

function describeRequest(r: RecordedRequest): string {
  const gone = r.clientGone ? " (carried out; the client had gone before the answer)" : "";
  const suffix = `${r.errorCode ? ` ${r.errorCode}` : ""}${r.fault ? ` (injected fault: ${r.fault})` : ""}${gone}`;
  return `API  ${r.method} ${r.path} → ${r.status ?? "dropped"}${suffix}`;
}

function describeDelivery(d: Delivery): string {
  const outcome = d.status !== undefined ? String(d.status) : (d.error ?? "no answer");
  return `POST ${d.event} (${d.kind}${d.slack ? ", as a Slack message" : ""}) → ${d.sentTo}: ${outcome}`;
}

/** The console's server, or (when it cannot start) the sandbox stopped and the error passed on. */
async function startConsoleOrStop(sandbox: Sandbox) {
  const { startSandboxConsole } = await import("./runtime/inspect.js");
  try {
    return await startSandboxConsole(sandbox);
  } catch (err) {
    await sandbox.stop();
    throw err;
  }
}

/** host:port with a port from 1 to 65535 (an IPv6 host in brackets). */
function isHostPort(text: string): boolean {
  const port = Number(/^[A-Za-z0-9.\-[\]:]+:(\d+)$/.exec(text)?.[1]);
  return port >= 1 && port <= 65535;
}

export async function run(
  opts: SandboxFlags,
  ctx: Pick<CommandContext, "io" | "signal" | "env">,
): Promise<void> {
  const port = parsePort("--port", opts.port);
  // The rule every client command applies to CERTWH_API_KEY: a key it would refuse makes a useless sandbox.
  const apiKey = opts.apiKey === undefined ? undefined : checkApiKey(opts.apiKey, "--api-key");
  if (opts.slackHost !== undefined && !isHostPort(opts.slackHost)) {
    throw new UsageError(
      `--slack-host takes host:port with a port from 1 to 65535, e.g. 127.0.0.1:4567 (got "${opts.slackHost}").`,
    );
  }
  const { parseQuirks, startSandbox } = await import("../sandbox/index.js");
  let quirks: ReturnType<typeof parseQuirks> = [];
  try {
    quirks = opts.quirks === undefined ? [] : parseQuirks(opts.quirks);
  } catch (err) {
    throw new UsageError(`--quirks: ${(err as Error).message}`);
  }
  // --no-delete is the no-delete-404 quirk: with the other reading of a missing DELETE it is a contradiction.
  if (opts.delete === false && quirks.includes("no-delete-405"))
    throw new UsageError("--no-delete (DELETE answered 404) and --quirks no-delete-405 cannot be combined.", {
      hint: "Keep one: --no-delete for a 404, --quirks no-delete-405 for a 405.",
    });
  const io = ctx.io;
  let sandbox: Awaited<ReturnType<typeof startSandbox>>;
  try {
    sandbox = await startSandbox({
      port,
      apiKey,
      stateFile: opts.stateFile,
      signal: ctx.signal,
      rateLimit: opts.rateLimit !== false,
      deleteExtension: opts.delete !== false,
      quirks,
      slackHost: opts.slackHost,
      onRequest: (r) => io.info(describeRequest(r)),
      onDelivery: (d) => io.info(describeDelivery(d)),
      onStateFile: (p) => (p.ok ? io.success(p.message) : io.warn(p.message)),
    });
  } catch (err) {
    // A FileError about the state file already names it; an interruption is reported as such.
    if (err instanceof CertwhError) throw err;
    const e = err as NodeJS.ErrnoException;
    if (e.code === "EADDRINUSE")
      throw new UsageError(`Port ${port} is already in use.`, {
        hint: "Pick another --port, or omit it for a free one.",
      });
    if (e.code === "EACCES") throw new UsageError(`Not allowed to listen on port ${port}.`);
    if (opts.stateFile) throw new UsageError(`Cannot use the state file ${opts.stateFile}: ${e.message}`);
    throw err;
  }

  // --ui: the console page; without it nothing listens besides the sandbox.
  const ui = opts.ui ? await startConsoleOrStop(sandbox) : undefined;
  if (io.json) {
    io.writeJson({
      base_url: sandbox.url,
      api_key: sandbox.apiKey,
      origin: sandbox.origin,
      loopback_http_endpoints: true,
      rate_limit: opts.rateLimit !== false,
      delete_extension: opts.delete !== false,
      state_file: opts.stateFile ?? null,
      slack_host: opts.slackHost ?? null,
      quirks: sandbox.quirks(),
      ...(ui ? { inspector_url: ui.url } : {}),
    });
  }
  io.success(`CertCentral sandbox running at ${sandbox.url}`);
  io.info("  Sandbox only: http:// endpoints on loopback (127.0.0.0/8, ::1, localhost) are accepted;");
  io.info("  everything else must be https://, as in CertCentral.");
  io.info("  Point certwh at it from another shell (a throwaway key for this local emulator):");
  // Quoted: pasted into a shell, a key such as `k3y;rm…` must stay one value, not become a command.
  io.info(`    export CERTWH_BASE_URL=${shellWord(sandbox.url)}`);
  io.info(`    export CERTWH_API_KEY=${shellWord(sandbox.apiKey)}`);
  io.info(
    `  Rate limit ${opts.rateLimit !== false ? "on (100 requests / 5 s)" : "off"} · DELETE extension ${opts.delete !== false ? "on" : "off"} · state ${opts.stateFile ?? "in memory"}`,
  );
  if (sandbox.quirks().length > 0) io.info(`  Quirks: ${sandbox.quirks().join(", ")}`);
  if (opts.slackHost)
    io.info(`  Slack: deliveries to https://hooks.slack.com/… go to http://${opts.slackHost}/…`);
  io.info(
    "  There, `certwh listen` receives its events (no tunnel needed) and `certwh trigger <event>` sends one.",
  );
  if (ui) io.info(`  Console: open ${ui.url} (the webhook, and a button per event to send)`);
  io.info("  Press Ctrl-C to stop.");
  const announced = announce({ kind: "sandbox", url: sandbox.url, apiKey: sandbox.apiKey, env: ctx.env, io });

  if (!ctx.signal.aborted) await once(ctx.signal, "abort");
  announced.remove();
  await ui?.close();
  await sandbox.stop();
  // Named as listen names it: a sandbox left running in CI stops with the shell that started it.
  const { reason } = ctx.signal;
  io.info(
    reason instanceof InterruptedError
      ? `Sandbox stopped: ${describeInterruptCause(reason.interruptedBy)}.`
      : "Sandbox stopped.",
  );
}
