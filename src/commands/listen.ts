// certwh listen: parse and check every flag (before any request), build the dependencies (API client, tunnel,
// in-process sandbox for --sandbox), then hand over to src/listen/orchestrate.ts and render its state events.

import { isIP } from "node:net";
import { resolve } from "node:path";
import type { WebhookApi } from "../api/types.js";
import { interruptMessage, UsageError } from "../errors.js";
import { HANDSHAKE_EVENTS } from "../events/catalogue.js";
import { describeFailure, errorDocument, reword } from "../io/exit-codes.js";
import { createListenRenderer, journalReplacedLine } from "../io/render-listen.js";
import { JournalPathReplaced } from "../listen/journal-failure.js";
import { defaultJournalPath } from "../listen/paths.js";
import { checkExecCommand, checkSaveChainDir } from "../listen/preflight.js";
import { noKeyNote, type ReplaySecret, replaySecretWords } from "../listen/replay-secret.js";
import type { ListenOptions, OnExitAction } from "../listen/types.js";
import type { Sandbox } from "../sandbox/types.js";
import { parsePublicBaseUrl } from "../tunnel/external.js";
import type { Tunnel } from "../tunnel/tunnel.js";
import { DIGICERT_SOURCE_RANGE } from "../util/cidr.js";
import { parseDuration } from "../util/duration.js";
import { isLoopbackHost } from "../util/loopback.js";
import { generateSecret } from "../util/secret.js";
import { shellWord } from "../util/shell-word.js";
import { isSlackWebhookUrl } from "../util/slack.js";
import { buildApi, type CommandContext } from "./context.js";
import { checkEventName, parsePort, parsePositiveInteger } from "./options/flag-values.js";
import { warnAboutFlags, warnIfCleartextKey } from "./options/flag-warnings.js";
import { parseForwardTargets } from "./options/forward-flags.js";
import { adoptFormerJournal } from "./options/journal-move.js";
import { resolveSecret, saveGeneratedSecret, secretOptions } from "./options/secret-source.js";
import {
  parseEventFlags,
  parseSecretSource,
  parseSettingFlags,
  type SecretSource,
} from "./options/webhook-flags.js";
import { announceWhenReady } from "./runtime/announce.js";
import {
  type InspectChoice,
  parseInspectFlags,
  type RunningInspector,
  startListenInspector,
} from "./runtime/inspect.js";
import type { ListenFlags } from "./specs/listen.js";
import { forgetChallenge } from "./webhook/verified-mark.js";

type TunnelChoice =
  | { kind: "sandbox" }
  /** No tunnel flag, and the API is on this computer (a sandbox): the receiver is reached on loopback. */
  | { kind: "local"; apiOrigin: string }
  | { kind: "external"; url: string }
  | { kind: "url-file"; path: string }
  | { kind: "ngrok"; domain?: string; ipAllowlist: boolean };

/** The flags, checked: what runListen takes from them, plus what this command resolves itself. */
interface ParsedListen
  extends Pick<
    ListenOptions,
    | "events"
    | "settings"
    | "force"
    | "onExit"
    | "journalPath"
    | "forwardTo"
    | "skipVerify"
    | "host"
    | "exec"
    | "saveChainDir"
    | "until"
    | "timeoutMs"
    | "timeoutText"
    | "tunnelGraceMs"
    | "challengeWindowMs"
    | "dropRepeats"
  > {
  tunnel: TunnelChoice;
  port: number;
  unknownEvents: string[];
  secret: SecretSource;
  inspect: InspectChoice;
}

const SLACK_REFUSAL =
  "is a Slack incoming-webhook URL: CertCentral posts Slack messages there, not JSON events, so listen " +
  "could neither receive events nor capture the challenge token.";

/** Whether a receiver bound to `host` also answers on 127.0.0.1 (loopback, or every address). */
const reachesLoopback = (host: string) => isLoopbackHost(host) || host === "0.0.0.0" || host === "::";

/** --host: an IP address to bind the receiver to (default 127.0.0.1), e.g. 0.0.0.0 in a container. */
function parseHost(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const host = value.trim().replace(/^\[(.*)\]$/, "$1");
  if (isIP(host) === 0)
    throw new UsageError(`--host takes an IP address of this machine, e.g. 0.0.0.0 or ::, not "${value}".`);
  return host;
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

function parseUntil(raw: ListenFlags): Pick<ParsedListen, "until" | "timeoutMs" | "timeoutText"> {
  if (raw.until === undefined) {
    if (raw.orderId !== undefined) throw new UsageError("--order-id only applies together with --until.");
    if (raw.timeout !== undefined) throw new UsageError("--timeout only applies together with --until.");
    return {};
  }
  const event = raw.until.trim();
  if (!/^[A-Za-z0-9_.:-]+$/.test(event))
    throw new UsageError(`--until needs an event name, not "${raw.until}".`);
  // A misspelt name would make a CI job wait for its whole --timeout.
  checkEventName(event, `--until ${event} is not a CertCentral event.`);
  // They arrive during the verification, before listen is ready: --until would wait for ever.
  if (HANDSHAKE_EVENTS.has(event))
    throw new UsageError(
      `--until ${event} cannot fire: it arrives before listen is ready, while it verifies.`,
      {
        hint: "Wait for an event CertCentral sends once the webhook is active, e.g. --until certificate_issued.",
      },
    );
  const orderId = parsePositiveInteger("--order-id", raw.orderId);
  return {
    until: { event, ...(orderId !== undefined ? { orderId } : {}) },
    ...(raw.timeout !== undefined
      ? { timeoutMs: parseDuration(raw.timeout, "--timeout"), timeoutText: raw.timeout.trim() }
      : {}),
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
    raw.challengeTimeout !== undefined
      ? parseDuration(raw.challengeTimeout, "--challenge-timeout")
      : undefined;
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
  const host = parseHost(raw.host);
  if (host !== undefined && (tunnel.kind === "ngrok" || tunnel.kind === "sandbox") && !reachesLoopback(host))
    throw new UsageError(
      `--host ${host}: ${tunnel.kind === "ngrok" ? "the ngrok tunnel" : "the sandbox"} reaches the receiver on 127.0.0.1, which that address does not serve.`,
      {
        hint: "Use --host 0.0.0.0 (every address, 127.0.0.1 included), or --public-url for your own tunnel.",
      },
    );
  return {
    tunnel,
    port: parsePort("--port", raw.port),
    events,
    unknownEvents: unknown,
    secret: parseSecretSource(raw, { allowRemove: false }),
    settings,
    force: raw.force === true,
    onExit,
    journalPath,
    ...parseForwardTargets(raw.forwardTo, raw.skipVerify === true),
    host,
    exec: raw.exec,
    saveChainDir: raw.saveChain,
    ...parseUntil(raw),
    tunnelGraceMs:
      raw.tunnelGrace !== undefined ? parseDuration(raw.tunnelGrace, "--tunnel-grace") : undefined,
    challengeWindowMs,
    dropRepeats: raw.dropRepeats === true,
    inspect: parseInspectFlags(raw),
  };
}

/**
 * Without a tunnel flag, an API on a loopback address is a sandbox (CertCentral never is): it reaches the
 * receiver directly, so ngrok and its token are not needed. Any tunnel flag keeps the tunnel asked for.
 */
async function tunnelForApi(choice: TunnelChoice, ctx: CommandContext): Promise<TunnelChoice> {
  if (choice.kind !== "ngrok" || choice.domain !== undefined || !choice.ipAllowlist) return choice;
  const origin = await loopbackApiOrigin(ctx);
  return origin ? { kind: "local", apiOrigin: origin } : choice;
}

/** The API's origin when it is on a loopback address: a sandbox on this computer (CertCentral never is). */
async function loopbackApiOrigin(ctx: CommandContext): Promise<string | undefined> {
  const base = URL.parse((await ctx.settings()).baseUrl);
  return base && isLoopbackHost(base.hostname) ? base.origin : undefined;
}

async function buildTunnel(choice: TunnelChoice, env: NodeJS.ProcessEnv): Promise<Tunnel> {
  if (choice.kind === "local")
    return (await import("../tunnel/external.js")).createLocalTunnel(
      `no tunnel (the API at ${choice.apiOrigin})`,
    );
  if (choice.kind === "sandbox") return (await import("../tunnel/external.js")).createLocalTunnel();
  if (choice.kind === "external")
    return (await import("../tunnel/external.js")).createExternalTunnel(choice.url);
  if (choice.kind === "url-file")
    return (await import("../tunnel/url-file.js")).createUrlFileTunnel(choice.path);
  const { createNgrokTunnel } = await import("../tunnel/ngrok.js");
  return createNgrokTunnel({
    env,
    domain: choice.domain,
    ipAllowlist: choice.ipAllowlist,
  });
}

async function startOwnSandbox(ctx: CommandContext): Promise<{ sandbox: Sandbox; api: WebhookApi }> {
  const { startSandbox } = await import("../sandbox/index.js");
  const sandbox = await startSandbox({ host: "127.0.0.1", port: 0 });
  const api = await buildApi(ctx, { baseUrl: sandbox.url, apiKey: sandbox.apiKey, timeoutMs: 30_000 });
  return { sandbox, api };
}

/**
 * Under --json stdout stays NDJSON: a failure is one `error` line (with the replay command of what the session
 * received, as the human hint prints it), and main prints only the human text.
 */
function asNdjsonFailure(io: CommandContext["io"], err: unknown, replayCommand?: string): unknown {
  if (!io.json) return err;
  const replay = replayCommand ? { replay_command: replayCommand } : {};
  io.ndjson({ type: "error", ...errorDocument(describeFailure(err)).error, ...replay });
  return reword(err, { reported: true });
}

/** This session's events, for a replay command when another process writes the same journal. */
interface SessionEvents {
  /** When the first (not the handshake) arrived; undefined when none did. */
  since?: string;
  /** How many arrived, and their journal ids, each once, in arrival order (up to MAX_REPLAY_IDS). */
  count: number;
  ids: Set<string>;
  /** More ids than MAX_REPLAY_IDS. */
  tooMany: boolean;
  /** Another process appends to the journal too: `--since` alone would replay its events as well. */
  shared: boolean;
}

/** Most ids a printed replay command names; beyond them the sentence says how to pick this session's. */
const MAX_REPLAY_IDS = 50;

/** The sentence listen prints about replaying this session, and the command in it. */
interface SessionReplay {
  sentence: string;
  /**
   * The `certwh replay` command, exactly as the sentence prints it, when it delivers this session's events
   * as it stands; undefined when the user must complete it (a `<url>` or `<that file>` to fill in, ids to add).
   */
  command?: string;
}

/**
 * Where this session's events are and the `certwh replay` that delivers them again, working as printed:
 * `--since` its first event (`since`, undefined when none arrived), so the journal's earlier sessions are left
 * out (an identical body there has the same id); and when another process writes the same journal, an `--id`
 * for each of this session's events, so the other's are left out too. After the journal was moved or removed,
 * `since` is the first event in the new file, and the sentence says so. Undefined without a journal or an event.
 */
function sessionReplay(
  parsed: Pick<ListenOptions, "journalPath" | "forwardTo" | "exec" | "replaySecret">,
  env: NodeJS.ProcessEnv,
  session: SessionEvents,
  replaced: boolean,
  pathGone = false,
): SessionReplay | undefined {
  const { since, ids, shared, count } = session;
  if (!parsed.journalPath || since === undefined) return undefined;
  // The path no longer names a file (a FIFO took it): the events are in the file that was there.
  const journal = pathGone
    ? " --journal <that file>"
    : parsed.journalPath === defaultJournalPath(env)
      ? ""
      : ` --journal ${shellWord(parsed.journalPath)}`;
  const what = replaced ? "what arrived since the journal was replaced" : "what arrived in this session";
  const where = pathGone ? `${what} is in that file` : `${what} is in ${parsed.journalPath}`;
  if (shared && session.tooMany)
    return {
      sentence:
        `${where}, among events another process wrote to the same journal: \`certwh replay${journal} --since ${shellWord(since)}\` ` +
        `would deliver theirs too, so add an --id for each of this session's ${count} events (the ids are on its event lines).`,
    };
  // Another listen writing the same journal: name this session's events, not all since its first.
  const only = shared ? [...ids].map((id) => ` --id ${id}`).join("") : "";
  // One --forward-to is where the events go again; with none or several the user picks.
  const targets = parsed.forwardTo ?? [];
  // A command with a placeholder (`<that file>`, `<url>`) is for a person to complete: no `command` to run.
  if (targets.length === 0 && parsed.exec !== undefined) {
    const command = `certwh replay${journal} --exec ${shellWord(parsed.exec)} --since ${shellWord(since)}${only}`;
    return {
      sentence: `${where}: \`${command}\` runs the command for it again.`,
      command: pathGone ? undefined : command,
    };
  }
  const to = targets.length === 1 ? shellWord(targets[0] as string) : "<url>";
  const key = replaySecretWords(parsed.replaySecret)
    .map((word) => ` ${shellWord(word)}`)
    .join("");
  const note = noKeyNote(parsed.replaySecret);
  const command = `certwh replay${journal} --to ${to}${key} --since ${shellWord(since)}${only}`;
  return {
    sentence: `${where}: \`${command}\` delivers it again.${note ? ` ${note}` : ""}`,
    command: pathGone || targets.length !== 1 ? undefined : command,
  };
}

/** How listen's printed replay commands name its secret: the source it was read from or saved to. */
function replaySecretOf(source: SecretSource): ReplaySecret {
  if (source.kind === "env") return { flag: "--secret-env", value: source.name };
  if (source.kind === "file") return { flag: "--secret-file", value: resolve(source.path) };
  if (source.kind === "generate" && source.outFile !== undefined)
    return { flag: "--secret-file", value: resolve(source.outFile) };
  return { flag: "none" };
}

/** What to run next after an interruption: the same kind of session, and the replay of what it received. */
function afterInterruptHint(sandbox: boolean, replay: string | undefined): string {
  const again = `Run \`certwh listen${sandbox ? " --sandbox" : ""}\` again to receive events`;
  return replay ? `${again}; ${replay}` : `${again}.`;
}

/**
 * A session that failed after events arrived (the journal could not be written, the tunnel was lost, a
 * --timeout ran out): the error's hint gains the replay of what the session journaled, as an interruption's
 * does.
 */
function withReplayHint(err: unknown, replay: string | undefined): unknown {
  if (!replay) return err;
  const sentence = `${replay.charAt(0).toUpperCase()}${replay.slice(1)}`;
  return reword(err, { hint: (hint) => (hint ? `${hint} ${sentence}` : sentence) });
}

async function checkFlags(raw: ListenFlags, ctx: CommandContext): Promise<ParsedListen> {
  const parsed = parseListenOptions(raw, ctx.env);
  if (parsed.saveChainDir !== undefined) await checkSaveChainDir(parsed.saveChainDir);
  if (parsed.exec !== undefined) await checkExecCommand(parsed.exec, ctx.env);
  // Absolute, so the replay commands listen prints work from any folder.
  if (parsed.journalPath) parsed.journalPath = resolve(parsed.journalPath);
  if (raw.journal !== undefined) return parsed;
  // An API on loopback is a sandbox too: its made-up events are kept apart as with --sandbox, so a later
  // `certwh replay` does not send them to a real app by default.
  const kind = raw.sandbox || (await loopbackApiOrigin(ctx)) ? "sandbox" : "account";
  parsed.journalPath = defaultJournalPath(ctx.env, kind);
  await adoptFormerJournal(ctx.io, ctx.env, kind);
  return parsed;
}

export async function run(raw: ListenFlags, ctx: CommandContext): Promise<void> {
  const io = ctx.io;
  const parsed = await checkFlags(raw, ctx).catch((err: unknown) => {
    throw asNdjsonFailure(io, err);
  });
  warnAboutFlags(io, { unknownEvents: parsed.unknownEvents, policy: { allowLoopbackHttp: true } });
  for (const url of parsed.forwardTo ?? []) warnIfCleartextKey(io, "--forward-to", url, true);
  if (parsed.host !== undefined && !isLoopbackHost(parsed.host))
    io.warn(
      `--host ${parsed.host}: the receiver is reachable from the network, not only from this computer. ` +
        "X-WEBHOOK-KEY is still checked on every request, and peers that are not loopback are accepted.",
    );
  const resolved = await resolveSecret(parsed.secret, ctx.env, {
    ...secretOptions(ctx, parsed.force),
    // listen makes one itself when given none (its default): that is the fix to name.
    generateWith: "certwh listen --generate-secret",
  });
  const secret = resolved.value || generateSecret();
  await saveGeneratedSecret(resolved); // --secret-out, before the webhook gets the secret
  const tunnelChoice = await tunnelForApi(parsed.tunnel, ctx);
  const ngrok = tunnelChoice.kind === "ngrok" ? tunnelChoice : undefined;
  if (ngrok && !ngrok.ipAllowlist)
    io.warn(
      "--no-ip-allowlist: anyone on the internet can reach the public URL; only X-WEBHOOK-KEY protects it.",
    );

  const own = parsed.tunnel.kind === "sandbox" ? await startOwnSandbox(ctx) : undefined;
  const replaySecret = replaySecretOf(parsed.secret);
  const renderer = createListenRenderer(io, ctx.clock, noKeyNote(replaySecret));
  // `certwh trigger <event>` in another shell finds this sandbox once listen is ready.
  const announced = own && announceWhenReady(own.sandbox, ctx.env, io);
  let inspector: RunningInspector | undefined;
  /** The replay of what this session journaled so far (set once events can arrive). */
  let replay: (pathGone?: boolean) => SessionReplay | undefined = () => undefined;
  try {
    const deliveriesApi = {
      targets: parsed.forwardTo,
      secret,
      skipVerify: parsed.skipVerify,
      journalPath: parsed.journalPath,
    };
    inspector = await startListenInspector(parsed.inspect, deliveriesApi, own?.sandbox);
    const api = own ? own.api : await ctx.api();
    // listen points the webhook here and sends its own challenge: a token certwh noted before is void.
    if (!own) await forgetChallenge(ctx.env);
    const tunnel = await buildTunnel(tunnelChoice, ctx.env);
    const {
      tunnel: _tunnel,
      unknownEvents: _unknown,
      secret: _source,
      inspect: _inspect,
      ...fromFlags
    } = parsed;
    const options: ListenOptions = {
      ...fromFlags,
      secret,
      secretOrigin: { generated: !resolved.value || resolved.generated, savedTo: resolved.writtenTo },
      replaySecret,
      force: parsed.force || ctx.globals.yes,
      edgeAllowlist: ngrok?.ipAllowlist ? [DIGICERT_SOURCE_RANGE] : undefined,
      ...(own ? { sandbox: { url: own.sandbox.url, apiKey: own.sandbox.apiKey } } : {}),
    };
    const { runListen } = await import("../listen/orchestrate.js");
    // When this session's first event (not the handshake) arrived: its replay hint starts there. After the
    // journal was moved or removed, the first event in the new file (replay reads the path).
    const session: SessionEvents = { count: 0, ids: new Set(), tooMany: false, shared: false };
    let journalReplaced = false;
    replay = (pathGone) => sessionReplay(options, ctx.env, session, journalReplaced, pathGone);
    const result = await runListen(options, {
      api,
      tunnel,
      clock: ctx.clock,
      signal: ctx.signal,
      hurry: ctx.hurry(),
      emit: (emitted) => {
        // Said once the local side works (the journal is open), before the tunnel and the verification, so a
        // person can watch those happen in the page; the ready block repeats it.
        if (inspector && !io.json && emitted.type === "state" && emitted.stage === "receiver_started")
          io.info(`Inspector: ${inspector.url} (the verification shows there live)`);
        if (emitted.type === "event" && !HANDSHAKE_EVENTS.has(emitted.event)) {
          session.since ??= emitted.received_at;
          session.count++;
          if (session.ids.size < MAX_REPLAY_IDS) session.ids.add(emitted.id);
          else if (!session.ids.has(emitted.id)) session.tooMany = true;
        }
        if (emitted.type === "state" && emitted.stage === "journal_shared") session.shared = true;
        if (emitted.type === "state" && emitted.stage === "journal_replaced") {
          Object.assign(session, { since: undefined, count: 0, tooMany: false });
          session.ids.clear();
          journalReplaced = true;
          // A warning a person must see even when stdout is NDJSON read by a program.
          if (io.json) io.warn(journalReplacedLine(emitted.journal));
        }
        // The last line of an interrupted session carries the replay command the exit hint prints.
        let final = emitted;
        const command = emitted.type === "interrupted" ? replay()?.command : undefined;
        if (emitted.type === "interrupted" && command) final = { ...emitted, replay_command: command };
        const event = inspector ? inspector.feed(final) : final;
        renderer.render(event);
        if (announced) announced.onEvent(event);
      },
      confirmTakeover: ctx.interactive ? (q) => ctx.prompt.confirm(q, "--force") : undefined,
      env: ctx.env,
      ...(inspector ? { onAccepted: inspector.keep } : {}),
    });
    if (result.reason === "interrupted") {
      // Under --json the interrupted line is on stdout, which may be the output that was closed.
      if (io.json && result.cause) io.info(interruptMessage(result.cause));
      io.hint(afterInterruptHint(raw.sandbox === true, replay()?.sentence));
    }
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    const session = replay(err instanceof JournalPathReplaced);
    throw asNdjsonFailure(io, withReplayHint(err, session?.sentence), session?.command);
  } finally {
    renderer.close();
    await inspector?.close();
    if (announced) announced.remove();
    await own?.sandbox.stop();
  }
}
