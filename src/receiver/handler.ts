// createReceiver: a node:http request handler for CertCentral deliveries. The checks run in the order of
// reliability-checklist §2; the answer is sent as soon as the delivery is authenticated, parsed, de-duplicated
// and handed to onAccept. Nothing else (API calls, forwarding) is awaited inside the request.
import type { IncomingMessage, ServerResponse } from "node:http";
import { UsageError } from "../errors.js";
import { createAddressMatcher } from "../util/cidr.js";
import { type Clock, systemClock } from "../util/clock.js";
import { registerSecret } from "../util/redact.js";
import {
  type ChallengeCompleter,
  type ChallengeCompleterOptions,
  createChallengeCompleter,
} from "../verification/completer.js";
import { readBody } from "./body.js";
import { DeadlineQueue } from "./deadlines.js";
import { DedupeCache, type DedupeOptions } from "./dedupe.js";
import { type CertCentralEvent, type JsonObject, parseEvent, safeJsonParse } from "./events.js";
import {
  checkContentType,
  checkDeclaredLength,
  checkKey,
  checkRoute,
  checkSource,
  RESPONSE_TEXT,
  type Rejection,
  type SourcePolicy,
  sha256,
  sha256Hex,
} from "./guard.js";
import type {
  AcceptedDelivery,
  DeliveryInfo,
  OutcomeOf,
  OutcomeType,
  ReceiverOutcome,
  ReceiverStats,
} from "./outcomes.js";
import { randomHookPath } from "./path.js";
import { type ReceiverServer, type ServerOptions, startReceiverServer } from "./server.js";

export const DEFAULT_MAX_BODY_BYTES = 256 * 1024;
export const DEFAULT_BODY_TIMEOUT_MS = 10_000;
const OK_TEXT = `${RESPONSE_TEXT[200]}\n`;

export interface ReceiverOptions {
  /** The hook path; default `randomHookPath()` (`/hook/<random>`). */
  path?: string;
  /** The webhook's secret, compared with X-WEBHOOK-KEY. Required unless `allowUnauthenticated: true`. */
  secret?: string;
  /** Accept deliveries without a key check when no secret is given. Adds a line to `warnings`. */
  allowUnauthenticated?: boolean;
  /** CIDR ranges allowed to deliver. Without `trustTunnel`: checked on the socket peer (internet-facing). */
  sourceAllowlist?: readonly string[];
  /** Behind a local tunnel: accept loopback peers only; with `sourceAllowlist`, check the LAST X-Forwarded-For. */
  trustTunnel?: boolean;
  /** Default 256 KiB. */
  maxBodyBytes?: number;
  /** Deadline for the whole body, from the moment the handler runs. Default 10 s. */
  bodyTimeoutMs?: number;
  /** De-duplication by body digest; `false` turns it off. Default 1000 entries, 10 minutes. */
  dedupe?: DedupeOptions | false;
  clock?: Clock;
  /**
   * Awaited before the 200 (e.g. to journal the delivery). If it throws, the answer is 500 and the delivery is
   * not acknowledged. Keep it short: never call the DigiCert API or forward from here.
   */
  onAccept?: (delivery: AcceptedDelivery) => Promise<void> | void;
  /** Complete the endpoint challenge from this process (production library mode, or listen). */
  challenge?: Omit<ChallengeCompleterOptions, "onResult">;
}

export interface Receiver {
  readonly path: string;
  /** `(req, res)` for node:http; with Express/Fastify-style `next`, other paths are passed on instead of 404. */
  handler(req: IncomingMessage, res: ServerResponse, next?: () => void): void;
  /** Subscribe to one kind of outcome, or to all with "outcome". Returns an unsubscribe function. */
  on<T extends OutcomeType>(type: T, listener: (outcome: OutcomeOf<T>) => void): () => void;
  on(type: "outcome", listener: (outcome: ReceiverOutcome) => void): () => void;
  readonly stats: Readonly<ReceiverStats>;
  /** Requests being handled right now (stats.inFlight, without copying the stats). */
  readonly inFlight: number;
  /** Configuration warnings the caller should show loudly (e.g. running without a secret). */
  readonly warnings: readonly string[];
  /** Present when the `challenge` option was given. */
  readonly challenge?: ChallengeCompleter;
  /** A node:http server with hardened limits serving this handler, on 127.0.0.1 by default. */
  listen(options?: ServerOptions): Promise<ReceiverServer>;
}

function buildSourcePolicy(options: ReceiverOptions): SourcePolicy {
  const allow = options.sourceAllowlist ? createAddressMatcher(options.sourceAllowlist) : undefined;
  if (options.trustTunnel) return { mode: "tunnel", allow };
  return allow ? { mode: "direct", allow } : { mode: "any" };
}

export function createReceiver(options: ReceiverOptions = {}): Receiver {
  const path = options.path ?? randomHookPath();
  if (!/^\/[^?#\s]*$/.test(path))
    throw new UsageError(`The hook path must start with "/" (got ${JSON.stringify(path)}).`);
  const warnings: string[] = [];
  if (options.secret !== undefined && options.secret === "")
    throw new UsageError("The webhook secret is empty.");
  if (options.secret === undefined) {
    if (options.allowUnauthenticated !== true) {
      throw new UsageError(
        "The receiver needs the webhook secret (or allowUnauthenticated: true to skip the check).",
      );
    }
    warnings.push("No webhook secret: ANY request to the hook path is accepted as a CertCentral delivery.");
  }
  registerSecret(options.secret);
  const keyDigest = options.secret === undefined ? undefined : sha256(Buffer.from(options.secret, "utf8"));
  const policy = buildSourcePolicy(options);
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const bodyDeadlines = new DeadlineQueue(options.bodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT_MS);
  const clock = options.clock ?? systemClock;
  const dedupe = options.dedupe === false ? undefined : new DedupeCache(clock, options.dedupe);
  const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

  const listeners = new Map<string, Set<(o: ReceiverOutcome) => void>>();
  const notify = (set: Set<(o: ReceiverOutcome) => void> | undefined, outcome: ReceiverOutcome) => {
    if (!set) return;
    for (const listener of set) {
      try {
        listener(outcome);
      } catch {
        // A subscriber's bug must not turn into a failed delivery.
      }
    }
  };
  const emit = (outcome: ReceiverOutcome) => {
    notify(listeners.get(outcome.type), outcome);
    notify(listeners.get("outcome"), outcome);
  };

  const stats: ReceiverStats = {
    requests: 0,
    accepted: 0,
    duplicates: 0,
    unknownEvents: 0,
    rejected: 0,
    rejectedByReason: {},
    inFlight: 0,
  };

  const challenge = options.challenge
    ? createChallengeCompleter({
        ...options.challenge,
        onResult: (result) => emit({ type: "challenge_result", result }),
      })
    : undefined;

  function reject(
    req: IncomingMessage,
    res: ServerResponse,
    rejection: Rejection,
    info: { receivedAt: number; bodyBytes: number; digestPrefix?: string; bodyConsumed: boolean },
  ): void {
    stats.rejected++;
    stats.rejectedByReason[rejection.reason] = (stats.rejectedByReason[rejection.reason] ?? 0) + 1;
    if (!res.headersSent && !res.destroyed) {
      res.statusCode = rejection.status;
      for (const [name, value] of Object.entries(rejection.headers ?? {})) res.setHeader(name, value);
      res.setHeader("Content-Type", "text/plain; charset=utf-8");
      // An unread (or partly read) body stays unread: close the connection instead of draining it.
      if (!info.bodyConsumed) res.setHeader("Connection", "close");
      res.end(`${RESPONSE_TEXT[rejection.status] ?? "error"}\n`);
    }
    emit({
      type: "rejected",
      status: rejection.status,
      reason: rejection.reason,
      detail: rejection.detail,
      receivedAt: info.receivedAt,
      remoteAddress: req.socket.remoteAddress,
      bodyBytes: info.bodyBytes,
      digestPrefix: info.digestPrefix,
    });
  }

  function answerOk(res: ServerResponse): void {
    res.statusCode = 200;
    res.setHeader("Content-Type", "text/plain; charset=utf-8");
    res.end(OK_TEXT);
  }

  async function handle(req: IncomingMessage, res: ServerResponse, next?: () => void): Promise<void> {
    const receivedAt = clock.now();
    const route = checkRoute(req.method, req.url, path);
    if (route?.reason === "not_found" && next) return next();
    stats.requests++;
    const early =
      route ??
      checkSource(req, policy) ??
      checkKey(req, keyDigest) ??
      checkContentType(req.headers["content-type"]) ??
      checkDeclaredLength(req.headers["content-length"], maxBodyBytes);
    if (early) return reject(req, res, early, { receivedAt, bodyBytes: 0, bodyConsumed: false });

    const read = await readBody(req, maxBodyBytes, bodyDeadlines);
    if (!read.ok) {
      const rejection = read.rejection ?? { status: 400, reason: "bad_request", detail: "aborted" };
      if (!read.rejection) res.destroy();
      return reject(req, res, rejection, { receivedAt, bodyBytes: read.bytesRead, bodyConsumed: false });
    }
    const body = read.body;
    // One hash per body: the de-duplication key, and (its first 16 characters) the journal id downstream.
    const digest = sha256Hex(body);

    let text: string;
    let payload: unknown;
    try {
      text = decoder.decode(body);
      payload = safeJsonParse(text);
    } catch {
      return badRequest(req, res, receivedAt, body, digest, "invalid_json");
    }
    const parsed = parseEvent(payload);
    if (!parsed.ok) return badRequest(req, res, receivedAt, body, digest, parsed.problem);
    const event = parsed.event;
    const delivery: DeliveryInfo = {
      receivedAt,
      remoteAddress: req.socket.remoteAddress,
      bodyBytes: body.length,
      digest,
    };

    // Test events carry no data, so every one has the same body: each is a fresh reachability check.
    const tracked = event.type === "test_webhook_endpoint" ? undefined : dedupe;
    const earlier = tracked?.claim(digest);
    if (earlier) {
      // Same body as a delivery still being handled or already acknowledged: wait for its fate.
      if (await earlier) {
        stats.duplicates++;
        answerOk(res);
        emit({ type: "duplicate", event, delivery });
        return;
      }
      return failAfterBody(req, res, receivedAt, body, digest, "earlier_copy_failed");
    }

    const known = event.type !== "unknown";
    if (options.onAccept) {
      try {
        const headers = {
          "content-type": req.headers["content-type"],
          "user-agent": req.headers["user-agent"],
        };
        await options.onAccept({
          receivedAt,
          remoteAddress: delivery.remoteAddress,
          bodyBytes: body.length,
          digest,
          event,
          known,
          body,
          text,
          payload: payload as JsonObject,
          headers,
        });
      } catch {
        tracked?.settle(digest, false);
        return failAfterBody(req, res, receivedAt, body, digest);
      }
    }
    tracked?.settle(digest, true);
    stats.accepted++;
    if (!known) stats.unknownEvents++;
    answerOk(res);
    emit({ type: "accepted", event, known, delivery });
    if (event.type === "challenge_webhook_endpoint") onChallenge(event, delivery);
  }

  /** 400 for a body that was read whole but is not a CertCentral delivery. */
  function badRequest(
    req: IncomingMessage,
    res: ServerResponse,
    receivedAt: number,
    body: Buffer,
    digest: string,
    detail: string,
  ): void {
    reject(
      req,
      res,
      { status: 400, reason: "bad_request", detail },
      { receivedAt, bodyBytes: body.length, digestPrefix: digest.slice(0, 12), bodyConsumed: true },
    );
  }

  /** 500: the delivery (or the earlier copy it duplicates) could not be accepted; the sender may retry. */
  function failAfterBody(
    req: IncomingMessage,
    res: ServerResponse,
    receivedAt: number,
    body: Buffer,
    digest: string,
    detail?: string,
  ): void {
    reject(
      req,
      res,
      { status: 500, reason: "accept_failed", ...(detail ? { detail } : {}) },
      { receivedAt, bodyBytes: body.length, digestPrefix: digest.slice(0, 12), bodyConsumed: true },
    );
  }

  function onChallenge(
    event: Extract<CertCentralEvent, { type: "challenge_webhook_endpoint" }>,
    delivery: DeliveryInfo,
  ) {
    emit({ type: "challenge", token: event.data.token, webhookId: event.data.webhook_id, delivery });
    challenge?.offer(event);
  }

  const receiver: Receiver = {
    path,
    warnings,
    challenge,
    get stats() {
      return { ...stats, rejectedByReason: { ...stats.rejectedByReason } };
    },
    get inFlight() {
      return stats.inFlight;
    },
    handler(req, res, next) {
      stats.inFlight++;
      handle(req, res, next).then(
        () => {
          stats.inFlight--;
        },
        () => {
          stats.inFlight--;
          reject(
            req,
            res,
            { status: 500, reason: "internal_error" },
            { receivedAt: clock.now(), bodyBytes: 0, bodyConsumed: false },
          );
        },
      );
    },
    on(type: string, listener: (outcome: never) => void) {
      const set = listeners.get(type) ?? new Set();
      listeners.set(type, set);
      const fn = listener as (o: ReceiverOutcome) => void;
      set.add(fn);
      return () => set.delete(fn);
    },
    listen(serverOptions) {
      return startReceiverServer(receiver.handler, { ...serverOptions, path });
    },
  };
  return receiver;
}
