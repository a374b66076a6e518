// certwh trigger: POST one event shaped and keyed exactly as CertCentral sends it (--to), or ask a
// running sandbox to emit it to its registered webhook (--sandbox-url), so it lands in the event log.
// With neither, the sandbox the other commands use (a base URL on loopback from --base-url, CERTWH_BASE_URL
// or the profile), else the sandbox of a running `certwh listen --sandbox` or `certwh sandbox` of this user
// (it announced itself in a runtime file; the newest wins).

import { randomBytes } from "node:crypto";
import { checkBaseUrl } from "../api/base-url.js";
import { ApiError, ApiTimeoutError, NetworkError } from "../api/errors.js";
import type { ResolvedSettings } from "../config/types.js";
import { DEFAULT_REQUEST_TIMEOUT_MS } from "../config/types.js";
import { NotFoundError, RefusedError, TimeoutError, UsageError } from "../errors.js";
import { findEventType } from "../events/catalogue.js";
import { buildEvent, type EventBody, randomSampleIds } from "../events/payloads.js";
import { didYouMean } from "../events/suggest.js";
import { nothingAnswersWords, plainHttpWords, reword } from "../io/exit-codes.js";
import { secondsText } from "../util/duration.js";
import { isLoopbackUrl } from "../util/loopback.js";
import { printable } from "../util/printable.js";
import { registerSecret } from "../util/redact.js";
import { shellWord } from "../util/shell-word.js";
import { userAgent } from "../util/version.js";
import type { CommandContext } from "./context.js";
import { parseDurationOrSeconds, parseHttpUrl, parsePositiveInteger } from "./options/flag-values.js";
import { warnIfCleartextKey } from "./options/flag-warnings.js";
import { resolveSecret } from "./options/secret-source.js";
import { parseSecretSource, type SecretSource } from "./options/webhook-flags.js";
import type { TriggerFlags } from "./specs/sandbox.js";

interface TriggerOptions {
  event: string;
  /** DigiCert does not document this event's data: the payload is certwh's guess. */
  guessedPayload: boolean;
  /**
   * --to: the endpoint itself; --sandbox-url: a running sandbox, which sends to its webhook; neither: the
   * sandbox that announced itself (src/commands/runtime/discover.ts).
   */
  target: { kind: "url"; url: URL } | { kind: "sandbox"; base: URL } | { kind: "discover" };
  /** Always "none" with --sandbox-url or discovery: the sandbox uses the webhook's secret. */
  secret: SecretSource;
  orderId?: number;
  certificateId?: number;
  withChain: boolean;
  /** How long the endpoint has to answer (--to). */
  timeoutMs: number;
}

type Ctx = Pick<CommandContext, "io" | "env" | "signal" | "settings" | "clock">;

/** The sandbox's URL: the API key goes there, so plain http:// only on loopback, as for --base-url. */
function parseSandboxUrl(value: string): URL {
  const url = parseHttpUrl("--sandbox-url", value, "http://127.0.0.1:8443/services/v2");
  checkBaseUrl(url.origin, "--sandbox-url");
  return url;
}

/** Every flag checked before anything is read or sent. */
export function parseTriggerOptions(raw: TriggerFlags): TriggerOptions {
  const type = findEventType(raw.event);
  if (!type) {
    const near = didYouMean(raw.event);
    throw new UsageError(`Unknown event "${raw.event}".`, {
      hint: `${near ? `${near} ` : ""}Run \`certwh event-types --all\` for the list.`,
    });
  }
  if (raw.to && raw.sandboxUrl)
    throw new UsageError("Give only one of --to <url> or --sandbox-url <base-url>.");
  const handshake = { test_webhook_endpoint: "test", challenge_webhook_endpoint: "challenge" }[raw.event];
  if (handshake && !raw.to) {
    // A webhook cannot subscribe to them: the sandbox sends them only through its own API.
    throw new UsageError(
      `Through a sandbox, ${raw.event} is sent by \`certwh ${handshake}\`, not by trigger.`,
      {
        hint: `Or send one to any URL: \`certwh trigger ${raw.event} --to <url>\`.`,
      },
    );
  }
  if (raw.withChain && raw.event !== "certificate_issued")
    throw new UsageError("--with-chain only applies to certificate_issued.");
  const timeoutMs = parseDurationOrSeconds("--timeout", raw.timeout ?? "10s");
  const secret = parseSecretSource(
    { secretFile: raw.secretFile, secretEnv: raw.secretEnv },
    { allowRemove: false },
  );
  if (!raw.to && secret.kind !== "none") {
    throw new UsageError(
      raw.sandboxUrl
        ? "--secret-file/--secret-env do not apply with --sandbox-url: the sandbox uses the webhook's secret."
        : "--secret-file/--secret-env apply only with --to: a running sandbox uses the webhook's secret.",
    );
  }
  return {
    event: raw.event,
    guessedPayload: type.guessedPayload === true,
    target: raw.to
      ? { kind: "url", url: parseHttpUrl("--to", raw.to) }
      : raw.sandboxUrl
        ? { kind: "sandbox", base: parseSandboxUrl(raw.sandboxUrl) }
        : { kind: "discover" },
    secret,
    orderId: parsePositiveInteger("--order-id", raw.orderId),
    certificateId: parsePositiveInteger("--certificate-id", raw.certificateId),
    withChain: raw.withChain === true,
    timeoutMs,
  };
}

/**
 * The event's body with fresh random ids unless --order-id/--certificate-id were given: fixed sample ids
 * would make two triggers the same event to a receiver that removes duplicates (listen does).
 */
function eventBody(opts: TriggerOptions): EventBody {
  return buildEvent(opts.event, {
    ...randomSampleIds(),
    ...(opts.orderId !== undefined ? { orderId: opts.orderId } : {}),
    ...(opts.certificateId !== undefined ? { certificateId: opts.certificateId } : {}),
    withChain: opts.withChain,
    token: randomBytes(24).toString("base64url"),
    webhookId: 12345,
  });
}

export async function run(raw: TriggerFlags, ctx: Ctx): Promise<void> {
  const opts = parseTriggerOptions(raw);
  if (opts.guessedPayload)
    ctx.io.warn(`DigiCert does not document the data of ${opts.event}; this payload is certwh's guess.`);
  if (opts.target.kind === "sandbox") return viaSandbox(opts, opts.target.base, ctx, "--sandbox-url");
  if (opts.target.kind === "discover") return viaAnnounced(opts, ctx);
  return direct(opts, opts.target.url, ctx);
}

/** Where a configured base URL came from, in the words the user set it with. */
function baseUrlOrigin(s: ResolvedSettings): string {
  if (s.baseUrlSource === "flag") return "--base-url";
  if (s.baseUrlSource === "env") return "CERTWH_BASE_URL";
  return `profile ${s.profile}`;
}

/**
 * No --to and no --sandbox-url: the sandbox every other command talks to when the configured API is on
 * loopback (CertCentral never is), else the newest sandbox of a running listen --sandbox or sandbox of this user.
 */
async function viaAnnounced(opts: TriggerOptions, ctx: Ctx): Promise<void> {
  const settings = await settingsIfUsable(ctx);
  if (settings && settings.baseUrlSource !== "region" && isLoopbackUrl(settings.baseUrl)) {
    ctx.io.info(`Using the sandbox at ${settings.baseUrl} (${baseUrlOrigin(settings)}).`);
    const from = baseUrlOrigin(settings);
    return viaSandbox(
      opts,
      new URL(settings.baseUrl),
      ctx,
      from.startsWith("profile") ? `${from}'s base_url` : from,
    );
  }
  const { describeKind, discoverSandboxes } = await import("./runtime/discover.js");
  const [entry, ...others] = await discoverSandboxes(ctx.env, ctx.signal);
  if (!entry) {
    throw new NotFoundError(
      "Nothing to send the event to: start `certwh listen --sandbox` (or `certwh sandbox`) in another shell first.",
      {
        code: "no_sandbox_running",
        hint: "Or give the target yourself: --to <url> for any endpoint, --sandbox-url <base-url> for a sandbox.",
      },
    );
  }
  registerSecret(entry.apiKey);
  ctx.io.info(`Using the sandbox of \`${describeKind(entry)}\` (pid ${entry.pid}) at ${entry.url}.`);
  if (others.length > 0) {
    ctx.io.info(
      `${others.length + 1} are running; this is the newest. Pick another with --sandbox-url: ${others
        .map((o) => `${o.url} (\`${describeKind(o)}\`, pid ${o.pid})`)
        .join(", ")}.`,
    );
  }
  return viaSandbox(opts, new URL(entry.url), ctx, undefined, {
    key: entry.apiKey,
    found: { kind: entry.kind, pid: entry.pid },
  });
}

async function direct(opts: TriggerOptions, url: URL, ctx: Ctx): Promise<void> {
  const secret = (await resolveSecret(opts.secret, ctx.env, { signal: ctx.signal, sendsWebhookSecret: true }))
    .value;
  warnIfCleartextKey(ctx.io, "--to", url, secret !== undefined);
  const body = eventBody(opts);
  const { Sender } = await import("../sandbox/deliver.js");
  // trigger is certwh, not the sandbox: the receiver sees certwh/<version>.
  const sender = new Sender({ clock: ctx.clock, timeoutMs: opts.timeoutMs, userAgent: userAgent() });
  const onAbort = () => sender.stop();
  ctx.signal.addEventListener("abort", onAbort, { once: true });
  const started = ctx.clock.now();
  const d = await sender.send({ kind: "event", url: url.href, body, secret }).finally(() => {
    ctx.signal.removeEventListener("abort", onAbort);
  });
  if (ctx.signal.aborted) throw ctx.signal.reason;
  const ms = Math.round(ctx.clock.now() - started);
  const what = d.slack
    ? `a Slack message about ${opts.event} (Slack gets {"text": …}, not the JSON event)`
    : opts.event;
  if (d.status === undefined) {
    if (d.error === "timeout")
      throw new TimeoutError(`${url.host} did not answer ${opts.event} within ${opts.timeoutMs / 1000}s.`);
    if (d.error === "ECONNRESET")
      throw new RefusedError(
        `${url.host} closed the connection without answering ${opts.event} (ECONNRESET); CertCentral counts that as a failed delivery.`,
        { code: "network" },
      );
    const plain = plainHttpWords(url.href, d.error);
    if (plain) throw new RefusedError(plain.message, { code: "network" });
    const nobody = nothingAnswersWords(url.href, d.error, "the receiver (e.g. `certwh listen` or your app)");
    throw new RefusedError(nobody?.message ?? `Could not reach ${url.host} (${d.error}).`, {
      code: "network",
      hint: nobody
        ? "Start it, or check the port in --to."
        : "Is the receiver running, and is the URL right?",
    });
  }
  if (!d.ok) {
    // The message is one sentence (the --json `message`); the receiver's answer goes under it, in the hint.
    const said = d.response ? `It said: ${printable(d.response)}` : undefined;
    const advice =
      d.status === 401 || d.status === 403
        ? secretHint(d.status, secret !== undefined && !d.slack)
        : undefined;
    throw new RefusedError(
      `${url.host} answered ${d.status} to ${opts.event} (${ms} ms); CertCentral counts that as a failed delivery.`,
      {
        code: `http_${d.status}`,
        hint: [said, advice].filter(Boolean).join("\n  ") || undefined,
      },
    );
  }
  ctx.io.done(
    {
      event: opts.event,
      url: url.href,
      status: d.status,
      duration_ms: ms,
      slack: d.slack,
      secret_sent: Boolean(secret && !d.slack),
    },
    `Sent ${what} to ${url.href}: ${d.status} in ${ms} ms${secret && !d.slack ? " (with X-WEBHOOK-KEY)" : ""}.`,
  );
}

/** A receiver that answers 401/403 most likely checks X-WEBHOOK-KEY: say how to send the right secret. */
function secretHint(status: number, sent: boolean): string {
  return sent
    ? `A ${status} to a request with X-WEBHOOK-KEY: is the secret in --secret-file/--secret-env the one the receiver expects?`
    : `A ${status}: the receiver probably wants the webhook secret in X-WEBHOOK-KEY; send it with --secret-env <VAR> or --secret-file <file>.`;
}

interface SandboxConnection {
  key?: string;
  /** Where the key came from, named when the sandbox refuses it. */
  keyFrom?: string;
  timeoutMs: number;
}

/**
 * The settings, or undefined when they cannot be used (a broken config file): trigger needs no CertCentral
 * settings and goes on without them. A profile that does not exist is still refused: it is a typo.
 */
async function settingsIfUsable(ctx: Ctx): Promise<ResolvedSettings | undefined> {
  try {
    return await ctx.settings();
  } catch (err) {
    if ((err as { code?: unknown }).code === "unknown_profile") throw err;
    return undefined;
  }
}

/** The API key and request timeout for the sandbox; an unusable configuration falls back to the environment. */
async function sandboxConnection(ctx: Ctx): Promise<SandboxConnection> {
  const s = await settingsIfUsable(ctx);
  if (!s) {
    const key = ctx.env.CERTWH_API_KEY || undefined;
    return { key, keyFrom: key && "CERTWH_API_KEY", timeoutMs: DEFAULT_REQUEST_TIMEOUT_MS };
  }
  const from = s.apiKeySource === "profile" ? `profile ${s.profile}` : s.apiKeySource;
  return s.apiKey
    ? { key: s.apiKey, keyFrom: from, timeoutMs: s.requestTimeoutMs }
    : { timeoutMs: s.requestTimeoutMs };
}

/** The same sandbox: the same origin, where any loopback name (localhost, 127.0.0.1, [::1]) is the same host. */
function sameSandbox(announced: URL, base: URL): boolean {
  if (announced.origin === base.origin) return true;
  const port = (u: URL) => u.port || (u.protocol === "https:" ? "443" : "80");
  return (
    announced.protocol === base.protocol &&
    port(announced) === port(base) &&
    isLoopbackUrl(announced.href) &&
    isLoopbackUrl(base.href)
  );
}

/** The key of the announced sandbox at that address, if one runs: the right key for it, whatever is configured. */
async function announcedKey(base: URL, ctx: Ctx): Promise<string | undefined> {
  const { discoverSandboxes } = await import("./runtime/discover.js");
  const same = (await discoverSandboxes(ctx.env, ctx.signal)).find((a) => sameSandbox(new URL(a.url), base));
  if (same) registerSecret(same.apiKey);
  return same?.apiKey;
}

/** The client's failures, worded for a sandbox (exit code and code as describeFailure chose them). */
function sandboxFailure(
  err: unknown,
  base: URL,
  keyFrom: string | undefined,
  baseFrom: string | undefined,
): unknown {
  const host = base.host;
  const checkBase = baseFrom
    ? `Is ${baseFrom} the base URL \`certwh sandbox\` printed?`
    : "Is that sandbox still running? `certwh sandbox` prints its base URL when it starts.";
  if (err instanceof ApiTimeoutError) {
    return reword(err, {
      message: `The sandbox at ${host} did not answer within ${secondsText(err.timeoutMs)}.`,
    });
  }
  if (err instanceof NetworkError) {
    const words =
      nothingAnswersWords(base.href, err.errno, "`certwh sandbox`") ?? plainHttpWords(base.href, err.errno);
    if (words) {
      return reword(err, {
        message: words.message,
        hint: words.hint ?? checkBase,
      });
    }
    return reword(err, {
      message: `Could not reach the sandbox at ${host}${err.errno ? ` (${err.errno})` : ""}.`,
      hint: baseFrom ? `Is \`certwh sandbox\` running, and is ${baseFrom} its base URL?` : checkBase,
    });
  }
  if (!(err instanceof ApiError)) return err;
  if (err.status === 401 || err.status === 403) {
    return reword(err, {
      message: `The sandbox refused the API key${keyFrom ? ` (from ${keyFrom})` : ""}.`,
      hint: "Use the CERTWH_API_KEY `certwh sandbox` printed.",
    });
  }
  const detail = err.detail ?? err.message;
  const another = `${checkBase} Another server may have answered.`;
  if (err.status >= 200 && err.status < 300) {
    return reword(err, {
      message: `The sandbox at ${host} answered HTTP ${err.status}, but not in a form certwh can read${detail ? `: ${detail}` : "."}`,
      hint: another,
    });
  }
  return reword(err, {
    message: `The sandbox at ${host} answered HTTP ${err.status}${err.code ? ` ${err.code}` : ""}${detail ? `: ${detail}` : "."}`,
    hint: err.status >= 300 && err.status < 400 ? another : undefined,
  });
}

/** `baseFrom`: the flag, variable or profile that named `base`; undefined for a sandbox found running. */
async function viaSandbox(
  opts: TriggerOptions,
  base: URL,
  ctx: Ctx,
  baseFrom: string | undefined,
  announced?: { key: string; found: { kind: string; pid: number } },
): Promise<void> {
  const connection = await sandboxConnection(ctx);
  const timeoutMs = connection.timeoutMs;
  const ownKey = announced?.key ?? (await announcedKey(base, ctx));
  const key = ownKey ?? connection.key;
  const keyFrom = ownKey ? undefined : connection.keyFrom;
  // Nothing announced at that address either: most often no sandbox runs there (a typo, or it stopped).
  if (!key)
    throw new NotFoundError(
      `No sandbox of yours announced itself at ${base.host}, and no API key is set for it.`,
      {
        hint:
          "Is `certwh sandbox` running at that address? It prints its base URL and key when it starts: " +
          "use that URL, and export CERTWH_API_KEY with that key for a sandbox another user started.",
      },
    );
  registerSecret(key);
  // The ids of the event (random unless given), nothing else: the sandbox fills in the rest.
  const built = eventBody({ ...opts, withChain: false }).data ?? {};
  const data: Record<string, unknown> = {};
  for (const k of ["order_id", "certificate_id", "organization_id", "domain_id"]) {
    if (built[k] !== undefined) data[k] = built[k];
  }
  // No certificate_chain is sent: the sandbox, like CertCentral, includes it only when the webhook's
  // chain settings are on (spec §12.3), and reports whether it did.

  const { createSandboxAdmin } = await import("../api/sandbox-admin.js");
  const admin = createSandboxAdmin({
    sandboxUrl: base,
    apiKey: key,
    timeoutMs,
    userAgent: userAgent(),
    clock: ctx.clock,
    trace: (line) => ctx.io.debug(line),
  });
  const started = ctx.clock.now();
  let out: Awaited<ReturnType<typeof admin.emit>>;
  try {
    out = await admin.emit(opts.event, data, { signal: ctx.signal });
  } catch (err) {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    throw sandboxFailure(err, base, keyFrom, baseFrom);
  }
  const roundTripMs = Math.round(ctx.clock.now() - started);
  if (!out.delivered || !out.delivery) {
    // No webhook at all is "not found", as for every command (a sandbox before `code` said it in words).
    if (out.code === "no_webhook" || (out.code === undefined && /^no webhook/.test(out.reason ?? "")))
      throw new NotFoundError(`The sandbox did not send ${opts.event}: ${out.reason}.`, {
        hint: createWebhookHint(base, baseFrom),
      });
    throw new RefusedError(`The sandbox did not send ${opts.event}: ${out.reason}.`, {
      code: "not_delivered",
      hint: "Events go out only while the webhook is active and subscribed to them (`certwh status`).",
    });
  }
  const d = out.delivery;
  if (!d.ok) {
    const keyRefused = d.status === 401 || d.status === 403;
    throw new RefusedError(
      `The sandbox sent ${opts.event} to ${d.url}, which ${d.status !== null ? `answered ${d.status}` : `did not answer (${d.error})`}.`,
      {
        code: d.status !== null ? `http_${d.status}` : "network",
        hint: keyRefused
          ? `The receiver refused the webhook's secret (X-WEBHOOK-KEY): give the webhook the secret it expects with \`certwh update-url --url ${shellWord(d.url)} --secret-env <VAR>\` (or --secret-file <file>).`
          : undefined,
      },
    );
  }
  // The delivery's own time, as --to reports it; a sandbox too old to report it gets the round trip.
  const ms = d.duration_ms ?? roundTripMs;
  ctx.io.done(
    {
      event: opts.event,
      url: d.url,
      status: d.status,
      duration_ms: ms,
      via_sandbox: true,
      // Which running sandbox was found (without --sandbox-url, which names it).
      ...(announced ? { sandbox_url: base.href, found: announced.found } : {}),
      ...(out.certificate_chain !== undefined ? { certificate_chain: out.certificate_chain } : {}),
    },
    `The sandbox sent ${opts.event} to ${d.url}: ${d.status} in ${ms} ms. It is in the webhook's event log.`,
  );
  // A sandbox found running or named by --sandbox-url is not where update-url looks by itself: its printed
  // command carries the sandbox's base URL. No key is ever printed (README › Security notes, whatever made
  // it): when the key in use is one the sandbox announced and not CERTWH_API_KEY, the user is told to set it.
  const elsewhere = baseFrom === undefined || baseFrom === "--sandbox-url";
  const keyToSet = ownKey !== undefined && ownKey !== ctx.env.CERTWH_API_KEY;
  if (opts.withChain)
    noteChain(ctx, d.url, out.certificate_chain, elsewhere ? { base, keyToSet } : undefined);
}

/**
 * How to create the missing webhook in this sandbox. certwh's settings already aim at one named by
 * CERTWH_BASE_URL or a profile; any other (found running, --sandbox-url, --base-url) is named with --base-url,
 * and its key only by where to find it: an API key is never printed.
 */
function createWebhookHint(base: URL, baseFrom: string | undefined): string {
  const configured = baseFrom === "CERTWH_BASE_URL" || baseFrom?.startsWith("profile ");
  if (configured) return "Create one first: `certwh create --url <your endpoint>` (or run `certwh listen`).";
  const aim = `certwh --base-url ${shellWord(base.href.replace(/\/$/, ""))}`;
  const key =
    baseFrom === "--base-url"
      ? ""
      : ", with CERTWH_API_KEY set to the key that sandbox printed when it started";
  return `Create one in that sandbox first: \`${aim} create --url <your endpoint>\`${key} (or run \`${aim} listen\`).`;
}

/**
 * --with-chain via the sandbox: the webhook's chain settings decide, so say what happened and why. `sandbox`:
 * the sandbox to point the printed update-url at, when certwh's settings do not; `keyToSet` when the command
 * needs that sandbox's key in CERTWH_API_KEY, which is said, never printed.
 */
function noteChain(
  ctx: Ctx,
  endpoint: string,
  included: boolean | undefined,
  sandbox?: { base: URL; keyToSet: boolean },
): void {
  if (included === true) {
    ctx.io.info(
      "certificate_chain was included: the sandbox follows the webhook's chain settings, which are on.",
    );
    return;
  }
  const base = sandbox ? ` --base-url ${shellWord(sandbox.base.href.replace(/\/$/, ""))}` : "";
  const command = `certwh${base} update-url --url ${shellWord(endpoint)} --chain`;
  const why =
    included === false
      ? "No certificate_chain was sent: the sandbox follows the webhook's chain settings (as CertCentral does), " +
        "and they are off; --with-chain cannot override them."
      : "The sandbox follows the webhook's chain settings, not --with-chain.";
  const say = (text: string) => (included === false ? ctx.io.warn(text) : ctx.io.info(text));
  if (!sandbox) {
    say(`${why} Turn them on with \`${command}\`.`);
    return;
  }
  const withKey = sandbox.keyToSet
    ? " (with that sandbox's API key in CERTWH_API_KEY, as `certwh sandbox` or `listen --sandbox` printed it)"
    : "";
  say(`${why} Turn them on with${withKey}:`);
  ctx.io.info(`  ${command}`);
}
