// certwh listen: parse and check every flag (before any request), build the dependencies (API client, tunnel,
// in-process sandbox for --sandbox), then hand over to src/listen/orchestrate.ts and render its state events.

import type { WebhookApi } from "../api/types.js";
import { UsageError } from "../errors.js";
import { closestEventName, findEventType, SUBSCRIBABLE_EVENTS } from "../events/catalogue.js";
import { describeFailure, errorDocument, reword } from "../io/exit-codes.js";
import { createListenRenderer } from "../io/render-listen.js";
import { defaultJournalPath } from "../listen/paths.js";
import { checkExecCommand, checkSaveChainDir } from "../listen/preflight.js";
import type { ListenOptions, OnExitAction } from "../listen/types.js";
import type { Sandbox } from "../sandbox/types.js";
import { parsePublicBaseUrl } from "../tunnel/external.js";
import type { Tunnel } from "../tunnel/tunnel.js";
import { DIGICERT_SOURCE_RANGE } from "../util/cidr.js";
import { parseDuration } from "../util/duration.js";
import { generateSecret } from "../util/secret.js";
import { isSlackWebhookUrl } from "../util/slack.js";
import { buildApi, type CommandContext } from "./context.js";
import { parseHttpUrl, parsePositiveInteger } from "./options/flag-values.js";
import { warnAboutFlags, warnIfCleartextKey } from "./options/flag-warnings.js";
import { resolveSecret, saveGeneratedSecret, secretOptions } from "./options/secret-source.js";
import {
  parseEventFlags,
  parseSecretSource,
  parseSettingFlags,
  type SecretSource,
} from "./options/webhook-flags.js";
import type { ListenFlags } from "./specs/listen.js";

export type TunnelChoice =
  | { kind: "sandbox" }
  | { kind: "external"; url: string }
  | { kind: "url-file"; path: string }
  | { kind: "ngrok"; domain?: string; ipAllowlist: boolean };

/** The flags, checked: what runListen takes from them, plus what this command resolves itself. */
export interface ParsedListen
  extends Pick<
    ListenOptions,
    | "events"
    | "settings"
    | "force"
    | "onExit"
    | "journalPath"
    | "forwardTo"
    | "exec"
    | "saveChainDir"
    | "until"
    | "timeoutMs"
    | "tunnelGraceMs"
    | "challengeWindowMs"
    | "dropRepeats"
  > {
  tunnel: TunnelChoice;
  port: number;
  unknownEvents: string[];
  secret: SecretSource;
}

const SLACK_REFUSAL =
  "is a Slack incoming-webhook URL: CertCentral posts Slack messages there, not JSON events, so listen " +
  "could neither receive events nor capture the challenge token.";

function parsePort(value: string | undefined): number {
  if (value === undefined) return 0;
  if (!/^\d+$/.test(value) || Number(value) > 65535)
    throw new UsageError(`--port must be a number from 0 to 65535, not "${value}".`);
  return Number(value);
}

/** --forward-to: any http(s) URL of the user's app, but not Slack, and no credentials in the URL. */
function parseForwardUrl(value: string): string {
  if (isSlackWebhookUrl(value))
    throw new UsageError(`--forward-to ${SLACK_REFUSAL}`, { hint: "Forward to your own app instead." });
  const url = parseHttpUrl("--forward-to", value);
  if (url.username || url.password)
    throw new UsageError("--forward-to must not contain a user name or password.");
  return url.href;
}

function parseTunnel(raw: ListenFlags): TunnelChoice {
  const given = [
    raw.sandbox && "--sandbox",
    raw.publicUrl !== undefined && "--public-url",
    raw.publicUrlFile !== undefined && "--public-url-file",
  ].filter(Boolean);
  if (given.length > 1) throw new UsageError(`Use only one of ${given.join(", ")}.`);
  if (given.length > 0 && raw.ngrokDomain !== undefined)
    throw new UsageError(`--ngrok-domain only applies to the ngrok tunnel (not with ${given[0]}).`);
  if (raw.sandbox) return { kind: "sandbox" };
  if (raw.publicUrlFile !== undefined) return { kind: "url-file", path: raw.publicUrlFile };
  if (raw.publicUrl !== undefined) {
    if (isSlackWebhookUrl(raw.publicUrl))
      throw new UsageError(`--public-url ${SLACK_REFUSAL}`, {
        hint: "Give the public base URL of your own tunnel that forwards to this computer, or leave --public-url out to use ngrok.",
      });
    return { kind: "external", url: parsePublicBaseUrl(raw.publicUrl).href };
  }
  if (raw.ngrokDomain !== undefined && !/^[A-Za-z0-9.-]+$/.test(raw.ngrokDomain))
    throw new UsageError(
      `--ngrok-domain takes a host name, e.g. my-hooks.ngrok.app (got "${raw.ngrokDomain}").`,
    );
  return { kind: "ngrok", domain: raw.ngrokDomain, ipAllowlist: raw.ipAllowlist !== false };
}

function parseUntil(raw: ListenFlags): Pick<ParsedListen, "until" | "timeoutMs"> {
  if (raw.until === undefined) {
    if (raw.orderId !== undefined) throw new UsageError("--order-id only applies together with --until.");
    if (raw.timeout !== undefined) throw new UsageError("--timeout only applies together with --until.");
    return {};
  }
  const event = raw.until.trim();
  if (!/^[A-Za-z0-9_.:-]+$/.test(event))
    throw new UsageError(`--until needs an event name, not "${raw.until}".`);
  // A misspelt name would make a CI job wait for its whole --timeout.
  if (!findEventType(event)) {
    const close = closestEventName(event);
    throw new UsageError(`--until ${event} is not a CertCentral event.`, {
      hint: close
        ? `Did you mean ${close}? (\`certwh event-types --all\` lists them)`
        : "`certwh event-types --all` lists them.",
    });
  }
  const orderId = parsePositiveInteger("--order-id", raw.orderId);
  return {
    until: { event, ...(orderId !== undefined ? { orderId } : {}) },
    ...(raw.timeout !== undefined ? { timeoutMs: parseDuration(raw.timeout) } : {}),
  };
}

/** Every flag, checked before anything starts (exit 2 with nothing sent). */
export function parseListenOptions(raw: ListenFlags, env: NodeJS.ProcessEnv): ParsedListen {
  // commander has checked --on-exit against its choices.
  const onExit: OnExitAction = raw.onExit;
  const { events, unknown } = parseEventFlags(raw.event, raw.events);
  let settings = parseSettingFlags(raw);
  // Chains are only sent when the webhook asks for them.
  if (raw.saveChain !== undefined && raw.chain === undefined) {
    settings = {
      ...settings,
      webhook_send_certificate_chain: "1",
      webhook_send_instant_issued_certificate_chain: "1",
    };
  }
  const challengeWindowMs =
    raw.challengeTimeout !== undefined ? parseDuration(raw.challengeTimeout) : undefined;
  if (challengeWindowMs !== undefined && challengeWindowMs > 30 * 60_000)
    throw new UsageError("--challenge-timeout cannot exceed 30m: CertCentral's tokens are valid 30 minutes.");
  const journalPath =
    raw.journal === false
      ? undefined
      : typeof raw.journal === "string"
        ? raw.journal
        : defaultJournalPath(env, raw.sandbox ? "sandbox" : "account");
  if (raw.exec !== undefined && raw.exec.trim() === "") throw new UsageError("--exec needs a command.");
  const tunnel = parseTunnel(raw);
  if ((tunnel.kind === "external" || tunnel.kind === "url-file") && raw.port === undefined) {
    const flag = tunnel.kind === "external" ? "--public-url" : "--public-url-file";
    throw new UsageError(`${flag} needs --port: the local port your tunnel forwards to.`, {
      hint: "e.g. `ngrok http 8080` elsewhere, then `certwh listen --public-url https://<its-host> --port 8080`.",
    });
  }
  return {
    tunnel,
    port: parsePort(raw.port),
    events,
    unknownEvents: unknown,
    secret: parseSecretSource(raw, { allowRemove: false }),
    settings,
    force: raw.force === true,
    onExit,
    journalPath,
    forwardTo: raw.forwardTo !== undefined ? parseForwardUrl(raw.forwardTo) : undefined,
    exec: raw.exec,
    saveChainDir: raw.saveChain,
    ...parseUntil(raw),
    tunnelGraceMs: raw.tunnelGrace !== undefined ? parseDuration(raw.tunnelGrace) : undefined,
    challengeWindowMs,
    dropRepeats: raw.dropRepeats === true,
  };
}

async function buildTunnel(choice: TunnelChoice, env: NodeJS.ProcessEnv): Promise<Tunnel> {
  if (choice.kind === "sandbox") return (await import("../tunnel/none.js")).createLocalTunnel();
  if (choice.kind === "external")
    return (await import("../tunnel/external.js")).createExternalTunnel(choice.url);
  if (choice.kind === "url-file")
    return (await import("../tunnel/url-file.js")).createUrlFileTunnel(choice.path);
  const { createNgrokTunnel } = await import("../tunnel/ngrok.js");
  return createNgrokTunnel({
    env,
    domain: choice.domain,
    ipAllowlist: choice.ipAllowlist ? undefined : false,
  });
}

async function startOwnSandbox(ctx: CommandContext): Promise<{ sandbox: Sandbox; api: WebhookApi }> {
  const { startSandbox } = await import("../sandbox/index.js");
  const sandbox = await startSandbox({ host: "127.0.0.1", port: 0 });
  const api = await buildApi(ctx, { baseUrl: sandbox.url, apiKey: sandbox.apiKey, timeoutMs: 30_000 });
  return { sandbox, api };
}

/** Under --json stdout stays NDJSON: a failure is one `error` line, and main prints only the human text. */
function asNdjsonFailure(io: CommandContext["io"], err: unknown): unknown {
  if (!io.json) return err;
  io.ndjson({ type: "error", ...errorDocument(describeFailure(err)).error });
  return reword(err, { reported: true });
}

async function checkFlags(raw: ListenFlags, ctx: CommandContext): Promise<ParsedListen> {
  const parsed = parseListenOptions(raw, ctx.env);
  if (parsed.saveChainDir !== undefined) await checkSaveChainDir(parsed.saveChainDir);
  if (parsed.exec !== undefined) await checkExecCommand(parsed.exec, ctx.env);
  return parsed;
}

export async function run(raw: ListenFlags, ctx: CommandContext): Promise<void> {
  const io = ctx.io;
  const parsed = await checkFlags(raw, ctx).catch((err: unknown) => {
    throw asNdjsonFailure(io, err);
  });
  warnAboutFlags(io, { unknownEvents: parsed.unknownEvents, policy: { allowLoopbackHttp: true } });
  if (parsed.forwardTo) warnIfCleartextKey(io, "--forward-to", parsed.forwardTo, true);
  const resolved = await resolveSecret(parsed.secret, ctx.env, secretOptions(ctx, parsed.force));
  const secret = resolved.value || generateSecret();
  await saveGeneratedSecret(resolved); // --secret-out, before the webhook gets the secret
  const ngrok = parsed.tunnel.kind === "ngrok" ? parsed.tunnel : undefined;
  if (ngrok && !ngrok.ipAllowlist)
    io.warn(
      "--no-ip-allowlist: anyone on the internet can reach the public URL; only X-WEBHOOK-KEY protects it.",
    );

  const own = parsed.tunnel.kind === "sandbox" ? await startOwnSandbox(ctx) : undefined;
  const renderer = createListenRenderer(io, ctx.clock);
  try {
    const api = own ? own.api : await ctx.api();
    const tunnel = await buildTunnel(parsed.tunnel, ctx.env);
    const edge = ngrok?.ipAllowlist ? [DIGICERT_SOURCE_RANGE] : undefined;
    const { tunnel: _tunnel, unknownEvents: _unknown, secret: _source, ...fromFlags } = parsed;
    const options: ListenOptions = {
      ...fromFlags,
      secret,
      secretOrigin: { generated: !resolved.value || resolved.generated, savedTo: resolved.writtenTo },
      defaultEvents: SUBSCRIBABLE_EVENTS,
      force: parsed.force || ctx.globals.yes,
      sourceAllowlist: edge,
      edgeAllowlist: edge,
      ...(own ? { sandbox: { url: own.sandbox.url, apiKey: own.sandbox.apiKey } } : {}),
    };
    const { runListen } = await import("../listen/orchestrate.js");
    const result = await runListen(options, {
      api,
      tunnel,
      clock: ctx.clock,
      signal: ctx.signal,
      emit: (event) => renderer.render(event),
      confirmTakeover: ctx.interactive ? (q) => ctx.prompt.confirm(q, "--force") : undefined,
      env: ctx.env,
    });
    if (result.reason === "interrupted") {
      io.hint(
        parsed.journalPath
          ? `Run \`certwh listen\` again to receive events; what arrived is in ${parsed.journalPath} (\`certwh replay\`).`
          : "Run `certwh listen` again to receive events.",
      );
    }
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    throw asNdjsonFailure(io, err);
  } finally {
    renderer.close();
    await own?.sandbox.stop();
  }
}
