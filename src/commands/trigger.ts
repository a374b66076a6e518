// certwh trigger: POST one event shaped and keyed exactly as CertCentral sends it (--to), or ask a
// running sandbox to emit it to its registered webhook (--sandbox-url), so it lands in the event log.

import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { CommandContext } from "../cli/context.js";
import { AuthError, RefusedError, TimeoutError, UsageError } from "../errors.js";
import { findEventType } from "../events/catalogue.js";
import { buildEvent, type EventBody } from "../events/payloads.js";
import { registerSecret } from "../util/redact.js";
import { userAgent } from "../util/version.js";

export interface TriggerOptions {
  event: string;
  to?: string;
  sandboxUrl?: string;
  secretFile?: string;
  secretEnv?: string;
  orderId?: string;
  certificateId?: string;
  withChain?: boolean;
  timeout?: string;
}

type Ctx = Pick<CommandContext, "io" | "env" | "signal" | "settings" | "clock">;

function positiveInt(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[1-9]\d{0,15}$/.test(value))
    throw new UsageError(`${flag} must be a positive integer, not "${value}".`);
  return Number(value);
}

function httpUrl(flag: string, value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(
      `${flag} must be a full http:// or https:// URL, e.g. http://localhost:3000/webhooks.`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UsageError(`${flag} must be an http:// or https:// URL.`);
  }
  return url;
}

/** The webhook secret from --secret-file / --secret-env, checked as certwh checks every secret. */
async function readSecret(opts: TriggerOptions, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  if (opts.secretFile && opts.secretEnv)
    throw new UsageError("Use either --secret-file or --secret-env, not both.");
  let secret: string | undefined;
  if (opts.secretFile) {
    try {
      secret = (await readFile(opts.secretFile, "utf8")).replace(/\r?\n$/, "");
    } catch (err) {
      throw new UsageError(
        `Cannot read --secret-file ${opts.secretFile}: ${(err as NodeJS.ErrnoException).code ?? err}`,
      );
    }
  } else if (opts.secretEnv) {
    secret = env[opts.secretEnv];
    if (!secret)
      throw new UsageError(`The environment variable ${opts.secretEnv} (--secret-env) is not set or empty.`);
  } else {
    return undefined;
  }
  registerSecret(secret);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  if (/[\s\u0000-\u001f\u007f]/.test(secret)) {
    throw new UsageError("The webhook secret must not contain whitespace or control characters.");
  }
  if (secret.length < 32)
    throw new UsageError("The webhook secret must have at least 32 characters, as CertCentral requires.");
  return secret;
}

function eventBody(opts: TriggerOptions): EventBody {
  return buildEvent(opts.event, {
    orderId: positiveInt("--order-id", opts.orderId),
    certificateId: positiveInt("--certificate-id", opts.certificateId),
    withChain: opts.withChain,
    token: randomBytes(24).toString("base64url"),
    webhookId: 12345,
  });
}

export async function run(opts: TriggerOptions, ctx: Ctx): Promise<void> {
  const type = findEventType(opts.event);
  if (!type) {
    throw new UsageError(`Unknown event "${opts.event}".`, {
      hint: "Run `certwh event-types --all` for the list.",
    });
  }
  if (!opts.to === !opts.sandboxUrl)
    throw new UsageError("Give exactly one of --to <url> or --sandbox-url <base-url>.");
  if (opts.withChain && opts.event !== "certificate_issued") {
    throw new UsageError("--with-chain only applies to certificate_issued.");
  }
  const seconds = Number(opts.timeout ?? "10");
  if (!Number.isFinite(seconds) || seconds <= 0)
    throw new UsageError("--timeout must be a positive number of seconds.");
  if (type.guessedPayload)
    ctx.io.warn(`DigiCert does not document the data of ${opts.event}; this payload is certwh's guess.`);
  if (opts.sandboxUrl) return viaSandbox(opts, ctx);
  return direct(opts, ctx, seconds * 1000);
}

async function direct(opts: TriggerOptions, ctx: Ctx, timeoutMs: number): Promise<void> {
  const url = httpUrl("--to", opts.to as string);
  const secret = await readSecret(opts, ctx.env);
  const body = eventBody(opts);
  const { Sender } = await import("../sandbox/deliver.js");
  // trigger is certwh, not the sandbox: the receiver sees certwh/<version>.
  const sender = new Sender({ clock: ctx.clock, timeoutMs, userAgent: userAgent() });
  const onAbort = () => sender.stop();
  ctx.signal.addEventListener("abort", onAbort, { once: true });
  const started = performance.now();
  const d = await sender.send({ kind: "event", url: url.href, body, secret }).finally(() => {
    ctx.signal.removeEventListener("abort", onAbort);
  });
  if (ctx.signal.aborted) throw ctx.signal.reason;
  const ms = Math.round(performance.now() - started);
  const what = d.slack
    ? `a Slack message about ${opts.event} (Slack gets {"text": …}, not the JSON event)`
    : opts.event;
  if (d.status === undefined) {
    if (d.error === "timeout")
      throw new TimeoutError(`${url.host} did not answer ${opts.event} within ${timeoutMs / 1000}s.`);
    throw new RefusedError(`Could not reach ${url.host} (${d.error}).`, {
      code: "network",
      hint: "Is the receiver running, and is the URL right?",
    });
  }
  if (!d.ok) {
    throw new RefusedError(
      `${url.host} answered ${d.status} to ${opts.event} (${ms} ms); CertCentral counts that as a failed delivery.`,
      {
        code: `http_${d.status}`,
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

async function sandboxKey(ctx: Ctx): Promise<string | undefined> {
  try {
    const key = (await ctx.settings()).apiKey;
    if (key) return key;
  } catch {
    // No usable configuration: fall back to the environment.
  }
  return ctx.env.CERTWH_API_KEY || undefined;
}

async function viaSandbox(opts: TriggerOptions, ctx: Ctx): Promise<void> {
  const base = httpUrl("--sandbox-url", opts.sandboxUrl as string);
  if (opts.secretFile || opts.secretEnv) {
    throw new UsageError(
      "--secret-file/--secret-env do not apply with --sandbox-url: the sandbox uses the webhook's secret.",
    );
  }
  const key = await sandboxKey(ctx);
  if (!key)
    throw new AuthError("No API key for the sandbox.", {
      hint: "Export CERTWH_API_KEY as `certwh sandbox` printed it.",
    });
  registerSecret(key);
  const data: Record<string, unknown> = {};
  const orderId = positiveInt("--order-id", opts.orderId);
  const certificateId = positiveInt("--certificate-id", opts.certificateId);
  if (orderId !== undefined) data.order_id = orderId;
  if (certificateId !== undefined) data.certificate_id = certificateId;
  // No certificate_chain is sent: the sandbox, like CertCentral, includes it only when the webhook's
  // chain settings are on (spec §12.3), and reports whether it did.

  const { request } = await import("undici");
  const target = new URL("/sandbox/v1/emit", base.origin);
  const started = performance.now();
  let res: Awaited<ReturnType<typeof request>>;
  try {
    res = await request(target, {
      method: "POST",
      headers: { "X-DC-DEVKEY": key, "Content-Type": "application/json" },
      body: JSON.stringify({ event: opts.event, data }),
      signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(30_000)]),
    });
  } catch (err) {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    const e = err as NodeJS.ErrnoException;
    if (e.name === "TimeoutError")
      throw new TimeoutError(`The sandbox at ${base.host} did not answer within 30s.`);
    throw new RefusedError(`Could not reach the sandbox at ${base.host} (${e.code ?? e.message}).`, {
      code: "network",
      hint: "Is `certwh sandbox` running, and is --sandbox-url its base URL?",
    });
  }
  const text = await res.body.text();
  const roundTripMs = Math.round(performance.now() - started);
  if (res.statusCode === 401)
    throw new AuthError("The sandbox refused the API key.", {
      hint: "Use the CERTWH_API_KEY `certwh sandbox` printed.",
    });
  if (res.statusCode !== 200)
    throw new RefusedError(`The sandbox answered ${res.statusCode}: ${text.slice(0, 200)}`);
  const out = JSON.parse(text) as EmitAnswer;
  if (!out.delivered || !out.delivery) {
    throw new RefusedError(`The sandbox did not send ${opts.event}: ${out.reason}.`, {
      code: "not_delivered",
      hint: "Events go out only while the webhook is active and subscribed to them (`certwh status`).",
    });
  }
  const d = out.delivery;
  if (!d.ok) {
    throw new RefusedError(
      `The sandbox sent ${opts.event} to ${d.url}, which ${d.status !== null ? `answered ${d.status}` : `did not answer (${d.error})`}.`,
      { code: d.status !== null ? `http_${d.status}` : "network" },
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
      ...(out.certificate_chain !== undefined ? { certificate_chain: out.certificate_chain } : {}),
    },
    `The sandbox sent ${opts.event} to ${d.url}: ${d.status} in ${ms} ms. It is in the webhook's event log.`,
  );
  if (opts.withChain) noteChain(ctx, d.url, out.certificate_chain);
}

interface EmitAnswer {
  delivered: boolean;
  reason?: string;
  delivery?: {
    url: string;
    status: number | null;
    ok: boolean;
    error?: string;
    kind: string;
    duration_ms?: number;
  };
  /** certificate_issued only: whether the sandbox put certificate_chain in the body. */
  certificate_chain?: boolean;
}

/** --with-chain via the sandbox: the webhook's chain settings decide, so say what happened and why. */
function noteChain(ctx: Ctx, endpoint: string, included: boolean | undefined): void {
  const turnOn = `Turn them on with \`certwh update-url --url ${endpoint} --chain\`.`;
  if (included === true) {
    ctx.io.info(
      "certificate_chain was included: the sandbox follows the webhook's chain settings, which are on.",
    );
  } else if (included === false) {
    ctx.io.warn(
      "No certificate_chain was sent: the sandbox follows the webhook's chain settings (as CertCentral does), " +
        `and they are off; --with-chain cannot override them. ${turnOn}`,
    );
  } else {
    ctx.io.info(`The sandbox follows the webhook's chain settings, not --with-chain. ${turnOn}`);
  }
}
