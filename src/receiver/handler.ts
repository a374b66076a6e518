// createReceiver: a node:http request handler for CertCentral deliveries. The checks run in the order of
// reliability-checklist §2; the answer is sent as soon as the delivery is authenticated, parsed, checked for
// repeats and handed to onAccept. Liberal in what it accepts (spec §17 #17–19): any Content-Type when the body
// is JSON, string or number tokens, repeats passed on and marked, and, while a verification is under way,
// handshake deliveries without the key or with the previous secret. Nothing else (API calls, forwarding) is awaited inside the request.
import type { IncomingMessage, ServerResponse } from "node:http";
import { UsageError } from "../errors.js";
import { createAddressMatcher } from "../util/cidr.js";
import { type Clock, systemClock } from "../util/clock.js";
import { registerSecret } from "../util/redact.js";
import { receivedSecretProblem } from "../util/secret.js";
import { withoutBom } from "../util/without-bom.js";
import {
  type ChallengeCompleter,
  type ChallengeCompleterOptions,
  createChallengeCompleter,
} from "../verification/completer.js";
import { readBody } from "./body.js";
import { DeadlineQueue } from "./deadlines.js";
import { DedupeCache, type DedupeOptions } from "./dedupe.js";
import { type JsonObject, parseEvent, safeJsonParse } from "./events.js";
import {
  checkDeclaredLength,
  checkKey,
  checkRoute,
  checkSource,
  keyMatches,
  RESPONSE_TEXT,
  type Rejection,
  type SourcePolicy,
  sha256,
  sha256Hex,
} from "./guard.js";
import { hasHandshakeShape, MAX_HANDSHAKE_BODY_BYTES } from "./handshake.js";
import type {
  AcceptedDelivery,
  AcceptRefusal,
  DeliveryInfo,
  OutcomeOf,
  OutcomeType,
  ReceiverOutcome,
  ReceiverStats,
} from "./outcomes.js";
import { checkHookPath, randomHookPath } from "./path.js";
import { restoreNumericToken } from "./raw-token.js";
import { type ReceiverServer, type ServerOptions, startReceiverServer } from "./server.js";

export const DEFAULT_MAX_BODY_BYTES = 256 * 1024;
export const DEFAULT_BODY_TIMEOUT_MS = 5_000;
const OK_TEXT = `${RESPONSE_TEXT[200]}\n`;

export interface ReceiverOptions {
  /**
   * The hook path; default `randomHookPath()` (`/hook/<random>`). It must be a URL path exactly as a client
   * sends it (no "." or ".." segments, backslashes, leading "//" or characters that need percent-encoding).
   */
  path?: string;
  /** The webhook's secret, compared with X-WEBHOOK-KEY. Required unless `allowUnauthenticated: true`. */
  secret?: string;
  /** Accept deliveries without a key check when no secret is given. Adds a line to `warnings`. */
  allowUnauthenticated?: boolean;
  /** CIDR ranges allowed to deliver. Without `trustTunnel`: checked on the socket peer (internet-facing). */
  sourceAllowlist?: readonly string[];
  /** Behind a local tunnel: accept loopback peers only; with `sourceAllowlist`, check the LAST X-Forwarded-For. */
  trustTunnel?: boolean;
  /**
   * With `trustTunnel`, when the server is bound to a network address: also accept peers that are not
   * loopback (a tunnel in another container, Docker's port mapping); with `sourceAllowlist` such a peer
   * must itself be in it.
   */
  networkPeers?: boolean;
  /** Default 256 KiB. */
  maxBodyBytes?: number;
  /** Deadline for the whole body, from the moment the handler runs. Default 5 s. */
  bodyTimeoutMs?: number;
  /**
   * Repeated bodies (by digest; 1000 entries, 10 minutes by default). By default a repeat is processed like
   * any delivery and marked (`repeatOf`); `{ drop: true }` answers it 200 without processing it again (a
   * `duplicate` outcome); `false` turns tracking off.
   */
  dedupe?: DedupeOptions | false;
  /**
   * True while this process has a verification under way. Test and challenge deliveries that arrive without
   * X-WEBHOOK-KEY, or with `previousSecret`, are then accepted and marked (`handshakeKey`): CertCentral does
   * not document which key they carry (spec §17 #18), if no larger than MAX_HANDSHAKE_BODY_BYTES and of the
   * handshake's shape. Real events always need `secret`. A forged token costs at most one check-challenge
   * call, within the completer's bounds (MAX_PENDING_TOKENS, MAX_CHECKS_PER_WINDOW per CHECK_WINDOW_MS). Default: never, unless `challenge.expectChallenge` is given (then that);
   * the completer's own default (always expecting) does not open it. A production receiver that must verify
   * unattended passes `() => true`.
   */
  handshakeOpen?: () => boolean;
  /** The secret before the webhook's last secret change (a function when it is known only later). */
  previousSecret?: string | (() => string | undefined);
  clock?: Clock;
  /**
   * Awaited before the 200 (e.g. to journal the delivery). If it throws, the answer is 500; if it returns an
   * AcceptRefusal, that status (503); either way the delivery is not acknowledged and the sender may retry.
   * Keep it short: never call the DigiCert API or forward from here.
   */
  onAccept?: (
    delivery: AcceptedDelivery,
    // biome-ignore lint/suspicious/noConfusingVoidType: an `async () => {}` callback returns Promise<void>.
  ) => Promise<AcceptRefusal | undefined | void> | AcceptRefusal | undefined | void;
  /**
   * False once the owner is stopping: every delivery is answered 503 with Retry-After (the sender retries
   * later) instead of being acknowledged and then left unprocessed. Default: always accepting.
   */
  accepting?: () => boolean;
  /** Complete the endpoint challenge from this process (production library mode, or listen). */
  challenge?: Omit<ChallengeCompleterOptions, "onResult">;
}

export interface Receiver {
  readonly path: string;
  /**
   * `(req, res)` for node:http; with Express/Fastify-style `next`, other paths are passed on instead of 404.
   * The path is matched on `req.originalUrl` when present (Express under a mount path). Mount it before any
   * body parser: a body already read is used only when left raw (`req.rawBody`, or `req.body` as a Buffer or
   * string); otherwise the answer is 500 (`body_consumed`) saying so.
   */
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
  /**
   * A node:http server with hardened limits serving this handler, on 127.0.0.1 by default. With `trustTunnel`
   * there is no per-peer connection limit unless asked for (every peer is the tunnel's loopback address).
   */
  listen(options?: ServerOptions): Promise<ReceiverServer>;
}

type Listener = (outcome: ReceiverOutcome) => void;
/** One request and when it arrived: what every answer to it needs. */
type Exchange = { req: IncomingMessage; res: ServerResponse; receivedAt: number };
/** How much of the body was read, for the outcome; an unread body closes the connection. */
type BodySeen = { bodyBytes: number; digestPrefix?: string; bodyConsumed: boolean };
/** Refused before reading any of the body. */
const UNREAD: BodySeen = { bodyBytes: 0, bodyConsumed: false };

const HANDSHAKES: ReadonlySet<string> = new Set(["test_webhook_endpoint", "challenge_webhook_endpoint"]);

function buildSourcePolicy(options: ReceiverOptions): SourcePolicy {
  const allow = options.sourceAllowlist ? createAddressMatcher(options.sourceAllowlist) : undefined;
  if (options.trustTunnel) return { mode: "tunnel", allow, network: options.networkPeers === true };
  return allow ? { mode: "direct", allow } : { mode: "any" };
}

/** A UsageError for a secret no X-WEBHOOK-KEY can carry unchanged (it would never match). */
function checkCarried(secret: string, which: string): void {
  const problem = receivedSecretProblem(secret);
  if (problem) {
    throw new UsageError(`${which}: ${problem}`, {
      hint:
        "X-WEBHOOK-KEY carries printable ASCII, with spaces or tabs only inside the value: such a secret " +
        "could never match a delivery (a line break from a file or `echo`?).",
    });
  }
}

/** The warnings for a valid secret setting; a UsageError for an invalid one. */
function checkSecret(secret: string | undefined, allowUnauthenticated: boolean | undefined): string[] {
  if (secret !== undefined) {
    checkCarried(secret, "secret");
    return [];
  }
  if (allowUnauthenticated !== true) {
    throw new UsageError(
      "The receiver needs the webhook secret (or allowUnauthenticated: true to skip the check).",
    );
  }
  return ["No webhook secret: ANY request to the hook path is accepted as a CertCentral delivery."];
}

/** The body as a CertCentral event (and its text and payload), or what is wrong with it. */
function parseBody(decoder: TextDecoder, body: Buffer) {
  let text: string;
  let payload: unknown;
  try {
    text = decoder.decode(body);
    // The text keeps a leading BOM (the journal holds the body as sent); the parse ignores it.
    payload = safeJsonParse(withoutBom(text));
  } catch {
    return { ok: false, problem: "invalid_json" } as const;
  }
  const parsed = parseEvent(payload);
  if (!parsed.ok) return parsed;
  restoreNumericToken(parsed.event, payload as JsonObject, text);
  return { ...parsed, text, payload: payload as JsonObject };
}

export function createReceiver(options: ReceiverOptions = {}): Receiver {
  return new CertCentralReceiver(options);
}

// `#` fields: a library user who logs the receiver sees its public side, never the key digest.
class CertCentralReceiver implements Receiver {
  readonly path: string;
  readonly warnings: string[];
  readonly challenge?: ChallengeCompleter;
  readonly #keyDigest: Buffer | undefined;
  readonly #policy: SourcePolicy;
  readonly #maxBodyBytes: number;
  readonly #bodyDeadlines: DeadlineQueue;
  readonly #clock: Clock;
  readonly #dedupe: DedupeCache | undefined;
  readonly #dropRepeats: boolean;
  readonly #handshakeOpen: (() => boolean) | undefined;
  readonly #previousSecret: ReceiverOptions["previousSecret"];
  readonly #onAccept: ReceiverOptions["onAccept"];
  readonly #accepting: ReceiverOptions["accepting"];
  readonly #decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  /** Subscribers by outcome type, or "outcome" for all. */
  readonly #listeners = new Map<string, Set<Listener>>();
  readonly #counts: ReceiverStats = {
    requests: 0,
    accepted: 0,
    duplicates: 0,
    repeats: 0,
    handshakesWithoutKey: 0,
    unknownEvents: 0,
    rejected: 0,
    rejectedByReason: {},
    inFlight: 0,
  };

  constructor(options: ReceiverOptions) {
    this.path = options.path ?? randomHookPath();
    checkHookPath(this.path);
    this.warnings = checkSecret(options.secret, options.allowUnauthenticated);
    registerSecret(options.secret);
    this.#keyDigest = options.secret === undefined ? undefined : sha256(options.secret);
    this.#policy = buildSourcePolicy(options);
    this.#maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.#bodyDeadlines = new DeadlineQueue(options.bodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT_MS);
    this.#clock = options.clock ?? systemClock;
    this.#dedupe = options.dedupe === false ? undefined : new DedupeCache(this.#clock, options.dedupe);
    this.#dropRepeats = options.dedupe !== false && options.dedupe?.drop === true;
    this.#handshakeOpen = options.handshakeOpen ?? options.challenge?.expectChallenge;
    // "" means no previous secret, as a function returning "" does.
    if (typeof options.previousSecret === "string" && options.previousSecret !== "")
      checkCarried(options.previousSecret, "previousSecret");
    this.#previousSecret = options.previousSecret;
    if (typeof options.previousSecret === "string") registerSecret(options.previousSecret);
    this.#onAccept = options.onAccept;
    this.#accepting = options.accepting;
    this.challenge = options.challenge
      ? createChallengeCompleter({
          ...options.challenge,
          clock: options.challenge.clock ?? options.clock,
          onResult: (result) => this.#emit({ type: "challenge_result", result }),
        })
      : undefined;
  }

  get stats(): ReceiverStats {
    return { ...this.#counts, rejectedByReason: { ...this.#counts.rejectedByReason } };
  }

  get inFlight(): number {
    return this.#counts.inFlight;
  }

  /** A bound function: servers and frameworks call it detached from the receiver. */
  readonly handler = (req: IncomingMessage, res: ServerResponse, next?: () => void): void => {
    this.#counts.inFlight++;
    this.#handle({ req, res, receivedAt: this.#clock.now() }, next).then(
      () => {
        this.#counts.inFlight--;
      },
      () => {
        this.#counts.inFlight--;
        // Answered already: the delivery was reported (accepted) and must not be reported rejected too.
        if (res.headersSent) return;
        const x = { req, res, receivedAt: this.#clock.now() };
        this.#reject(x, { status: 500, reason: "internal_error" }, UNREAD);
      },
    );
  };

  on(type: string, listener: (outcome: never) => void): () => void {
    const set = this.#listeners.get(type) ?? new Set();
    this.#listeners.set(type, set);
    const fn = listener as Listener;
    set.add(fn);
    return () => set.delete(fn);
  }

  listen(serverOptions?: ServerOptions): Promise<ReceiverServer> {
    const given = serverOptions?.limits;
    // Behind a tunnel no per-peer limit unless one is given (an undefined one is not a given one).
    const limits =
      this.#policy.mode === "tunnel"
        ? { ...given, maxConnectionsPerPeer: given?.maxConnectionsPerPeer ?? 0 }
        : given;
    return startReceiverServer(this.handler, { ...serverOptions, limits, path: this.path });
  }

  /** The checks in the order of reliability-checklist §2, then the answer, then the outcome. */
  async #handle(x: Exchange, next?: () => void): Promise<void> {
    const { req } = x;
    // Under a mount path (Express's app.use("/hook", handler)) req.url lost its prefix; originalUrl keeps it.
    const target = (req as IncomingMessage & { originalUrl?: unknown }).originalUrl;
    const route = checkRoute(req.method, typeof target === "string" ? target : req.url, this.path);
    if (route?.reason === "not_found" && next) return next();
    this.#counts.requests++;
    const early = route ?? checkSource(req, this.#policy) ?? this.#stopping();
    if (early) return this.#reject(x, early, UNREAD);
    // A key problem that a handshake may be excused from is decided once the body says what it is.
    const keyProblem = checkKey(req, this.#keyDigest);
    const handshakeKey = keyProblem && this.#handshakeExcuse(req, keyProblem);
    // Excused from the key, a body may be no larger than a handshake: a larger one is refused as unauthenticated.
    const maxBytes = handshakeKey
      ? Math.min(MAX_HANDSHAKE_BODY_BYTES, this.#maxBodyBytes)
      : this.#maxBodyBytes;
    const tooLarge = (r: Rejection | undefined) =>
      r?.status === 413 && handshakeKey && keyProblem ? keyProblem : r;
    const unread =
      (keyProblem && !handshakeKey ? keyProblem : undefined) ??
      tooLarge(checkDeclaredLength(req.headers["content-length"], maxBytes));
    if (unread) return this.#reject(x, unread, UNREAD);

    const read = await readBody(req, maxBytes, this.#bodyDeadlines);
    if (!read.ok) {
      // A client that went away got no answer: status 0, not a 400 nobody received.
      const rejection = tooLarge(read.rejection) ?? { status: 0, reason: "aborted" };
      if (!read.rejection) x.res.destroy();
      return this.#reject(x, rejection, { bodyBytes: read.bytesRead, bodyConsumed: false });
    }
    const body = read.body;
    // One hash per body: the de-duplication key, and (its first 16 characters) the journal id downstream.
    const digest = sha256Hex(body);
    const whole: BodySeen = { bodyBytes: body.length, digestPrefix: digest.slice(0, 12), bodyConsumed: true };
    const parsed = parseBody(this.#decoder, body);
    if (!parsed.ok)
      return this.#reject(x, { status: 400, reason: "bad_request", detail: parsed.problem }, whole);
    const { event, text, payload } = parsed;
    // Only a handshake is excused from the key, only while the window was open when it arrived, and only
    // when it is no more than a handshake (else anyone could write any body into onAccept without the key).
    if (keyProblem && !(HANDSHAKES.has(event.type) && hasHandshakeShape(payload)))
      return this.#reject(x, keyProblem, whole);
    const delivery: DeliveryInfo = {
      receivedAt: x.receivedAt,
      remoteAddress: req.socket.remoteAddress,
      bodyBytes: body.length,
      digest,
      ...(handshakeKey ? { handshakeKey } : {}),
    };

    // Test events carry no data, so every one has the same body: each is a fresh reachability check.
    const tracked = event.type === "test_webhook_endpoint" ? undefined : this.#dedupe;
    if (tracked && this.#dropRepeats) {
      let earlier = tracked.claim(digest, x.receivedAt);
      // Same body as a delivery still being handled or already acknowledged: wait for its fate. A copy refused
      // (503, 500) is forgotten, so this one is no repeat and is processed itself (the first waiter claims
      // it, the others wait on that one): bounded by the copies in flight, each round settles one of them.
      while (earlier && !(await earlier)) earlier = tracked.claim(digest, x.receivedAt);
      if (earlier) {
        this.#counts.duplicates++;
        const first = tracked.firstSeen(digest);
        if (first !== undefined) delivery.repeatOf = { firstReceivedAt: first };
        answerOk(x.res);
        this.#emit({ type: "duplicate", event, delivery });
        return;
      }
    } else if (tracked) {
      // A repeat only of a copy already acknowledged (see dedupe.ts): never of one refused or still in flight.
      const first = tracked.acknowledgedAt(digest);
      if (first !== undefined) delivery.repeatOf = { firstReceivedAt: first };
    }

    const known = event.type !== "unknown";
    if (this.#onAccept) {
      const headers = {
        "content-type": req.headers["content-type"],
        "user-agent": req.headers["user-agent"],
      };
      let refused: Rejection | undefined;
      try {
        const refusal = await this.#onAccept({ ...delivery, event, known, body, text, payload, headers });
        if (refusal) refused = unavailable(refusal);
      } catch {
        refused = acceptFailed();
      }
      if (refused) {
        // Not acknowledged: its resend is not a repeat (marking mode never remembered it).
        if (this.#dropRepeats) tracked?.settle(digest, false);
        return this.#reject(x, refused, whole);
      }
    }
    if (this.#dropRepeats) tracked?.settle(digest, true);
    else tracked?.remember(digest, x.receivedAt);
    this.#counts.accepted++;
    if (delivery.repeatOf) this.#counts.repeats++;
    if (handshakeKey) this.#counts.handshakesWithoutKey++;
    if (!known) this.#counts.unknownEvents++;
    answerOk(x.res);
    this.#emit({ type: "accepted", event, known, delivery });
    if (event.type === "challenge_webhook_endpoint") {
      this.#emit({ type: "challenge", token: event.data.token, webhookId: event.data.webhook_id, delivery });
      this.challenge?.offer(event);
    }
  }

  /** 503 once the owner stopped accepting: nothing is acknowledged that would not be processed. */
  #stopping(): Rejection | undefined {
    if (!this.#accepting || this.#accepting()) return undefined;
    return { status: 503, reason: "stopping", headers: { "Retry-After": "60" } };
  }

  /** Whether a key problem is excused for a handshake delivery: `missing` or `previous`, or undefined. */
  #handshakeExcuse(req: IncomingMessage, problem: Rejection): "missing" | "previous" | undefined {
    if (!this.#handshakeOpen?.()) return undefined;
    if (problem.detail === "missing") return "missing";
    if (problem.detail !== "mismatch") return undefined; // a repeated header is never excused
    const previous =
      typeof this.#previousSecret === "function" ? this.#previousSecret() : this.#previousSecret;
    if (!previous) return undefined;
    return keyMatches(req, sha256(previous)) ? "previous" : undefined;
  }

  #reject(x: Exchange, rejection: Rejection, seen: BodySeen): void {
    const { req, res } = x;
    this.#counts.rejected++;
    this.#counts.rejectedByReason[rejection.reason] =
      (this.#counts.rejectedByReason[rejection.reason] ?? 0) + 1;
    if (!res.headersSent && !res.destroyed) {
      res.statusCode = rejection.status;
      for (const [name, value] of Object.entries(rejection.headers ?? {})) res.setHeader(name, value);
      res.setHeader("Content-Type", "text/plain; charset=utf-8");
      // An unread (or partly read) body stays unread: close the connection instead of draining it.
      if (!seen.bodyConsumed) res.setHeader("Connection", "close");
      res.end(rejection.text ?? `${RESPONSE_TEXT[rejection.status] ?? "error"}\n`);
    }
    this.#emit({
      type: "rejected",
      status: rejection.status,
      reason: rejection.reason,
      detail: rejection.detail,
      receivedAt: x.receivedAt,
      remoteAddress: req.socket.remoteAddress,
      bodyBytes: seen.bodyBytes,
      digestPrefix: seen.digestPrefix,
    });
  }

  #emit(outcome: ReceiverOutcome): void {
    for (const type of [outcome.type, "outcome"]) {
      for (const listener of this.#listeners.get(type) ?? []) {
        try {
          listener(outcome);
        } catch {
          // A subscriber's bug must not turn into a failed delivery.
        }
      }
    }
  }
}

/** 500: the delivery could not be accepted; the sender may retry. */
function acceptFailed(): Rejection {
  return { status: 500, reason: "accept_failed" };
}

/** onAccept refused the delivery for now (nowhere to keep it): its status, and Retry-After when it gave one. */
function unavailable({ status, detail, retryAfterSeconds }: AcceptRefusal): Rejection {
  const headers =
    retryAfterSeconds !== undefined ? { headers: { "Retry-After": String(retryAfterSeconds) } } : {};
  return { status, reason: "unavailable", detail, ...headers };
}

function answerOk(res: ServerResponse): void {
  res.statusCode = 200;
  res.setHeader("Content-Type", "text/plain; charset=utf-8");
  res.end(OK_TEXT);
}
