// `certwh listen` without the terminal: receiver → tunnel → single-webhook guard → verification → ready →
// events, until --until, --timeout, a signal or a fatal error; then the --on-exit action exactly once.
// Everything from the outside is injected (API, tunnel, clock, signal), and progress is reported as typed
// events (types.ts) that src/io/render-listen.ts prints. The order matters:
// - the tunnel is up before anything in the account changes (a tunnel failure leaves the account untouched);
// - the receiver answers 200 once a delivery is authenticated, parsed and journaled, and never waits on the
//   API or a forward target (dispatch.ts runs after the answer);
// - on the way out: stop accepting, run the on-exit action, close the tunnel, let forwards finish.

import type { Webhook } from "../api/types.js";
import { CertwhError, ExitCode, TimeoutError, UsageError } from "../errors.js";
import { createReceiver, type Receiver } from "../receiver/handler.js";
import type { AcceptedDelivery, AcceptRefusal } from "../receiver/outcomes.js";
import { BIND_ERROR_CODES, type ReceiverServer } from "../receiver/server.js";
import { joinPublicUrl } from "../tunnel/tunnel.js";
import { deadline } from "../util/deadline.js";
import { isLoopbackHost } from "../util/loopback.js";
import { sameUrl } from "../util/same-url.js";
import { createTokenQueue, type TokenQueue, verifyEndpoint } from "../verification/captured-tokens.js";
import { createDispatcher, type Dispatcher } from "./dispatch.js";
import { recordListenEndpoint } from "./endpoints-record.js";
import { type Claim, type ClaimApi, claimWebhook } from "./guard.js";
import { isoTime } from "./iso-time.js";
import { type Journal, type JournalEntry, journalEntry, openJournal } from "./journal.js";
import { journalFailure } from "./journal-failure.js";
import { describeError, runOnExit } from "./on-exit.js";
import { createStopper, type StopOutcome, type Stopper } from "./stopper.js";
import { type TunnelWatch, watchTunnel } from "./tunnel-watch.js";
import type { ListenDeps, ListenOptions, ListenResult } from "./types.js";

/** After --until: time left for the last forwards and commands to finish. */
const FINAL_DRAIN_MS = 10_000;
/** After a signal or an error: a shorter wait; forwards still pending are reported (they are in the journal). */
const STOP_DRAIN_MS = 3_000;
/** Time the setup steps get to wind down after the session was stopped (they all listen to its signal). */
const SETUP_SETTLE_MS = 5_000;
/**
 * A create or update of the webhook under way when the session is stopped gets this long to finish: its answer
 * says which webhook the on-exit action applies to (cut short, CertCentral may apply it anyway).
 */
const CLAIM_SETTLE_MS = 3_000;
/** With --timeout: the limit for getting ready (tunnel, webhook, verification); --timeout counts from ready. */
const DEFAULT_SETUP_TIMEOUT_MS = 5 * 60_000;
const DEFAULT_TUNNEL_GRACE_MS = 60_000;
/** Time allowed for the on-exit API calls (ListenDeps.onExitTimeoutMs). */
const DEFAULT_ON_EXIT_TIMEOUT_MS = 20_000;

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());
const whenAborted = (signal: AbortSignal | undefined) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) resolve();
    else signal?.addEventListener("abort", () => resolve(), { once: true });
  });

/** --host other than loopback: the receiver is reachable from the network (a container, a LAN). */
const bindsToNetwork = (host: string | undefined) => host !== undefined && !isLoopbackHost(host);

/** The ranges the tunnel's edge admits (also checked against X-Forwarded-For), or null for none. */
const ipAllowlist = (opts: ListenOptions) => (opts.edgeAllowlist?.length ? [...opts.edgeAllowlist] : null);

/** The source check in words, for the ready block. */
function sourceCheck(opts: ListenOptions): string {
  const allow = ipAllowlist(opts)?.join(", ");
  if (!bindsToNetwork(opts.host))
    return allow ? `loopback peers; last X-Forwarded-For in ${allow}` : "loopback peers only";
  return allow
    ? `loopback peers with last X-Forwarded-For in ${allow}, other peers in ${allow} (--host ${opts.host})`
    : `any peer (--host ${opts.host})`;
}

export async function runListen(opts: ListenOptions, deps: ListenDeps): Promise<ListenResult> {
  return new ListenSession(opts, deps).run();
}

class ListenSession {
  private readonly stopper: Stopper;
  private readonly signal: AbortSignal;
  private readonly tokens: TokenQueue;
  private readonly dispatcher: Dispatcher;
  /** Deliveries journaled by onAccept, dispatched once the receiver reports them accepted. */
  private readonly accepted = new Map<string, AcceptedDelivery>();
  private journal: Journal | undefined;
  private receiver: Receiver | undefined;
  private server: ReceiverServer | undefined;
  private watch: TunnelWatch | undefined;
  private claim: Claim | undefined;
  private active = false; // the webhook is verified and active (not while it is re-pointed)
  private ready = false; // verified once: from now on a new tunnel URL re-points the webhook
  private publicUrl: string | undefined;
  private pointedBase: string | undefined; // the tunnel base URL the webhook points at
  private repointing: Promise<void> = Promise.resolve();
  private timedOut = false;
  /** A create or update of the webhook was sent (its answer may have been cut short by the stop). */
  private claimSent: "create" | "update" | undefined;
  /** Why the create or update failed when the stop did not cut it short (e.g. "HTTP 503 internal_error"). */
  private claimFailure: string | undefined;
  /** The create or update is under way: CertCentral probes the endpoint before answering. */
  private claimInFlight = false;
  /** The webhook as read before listen changed it (for restore, when the claim's answer was cut short). */
  private before: Webhook | null | undefined;
  /** Aborted CLAIM_SETTLE_MS after the stop: the claim's create/update may finish meanwhile. */
  private readonly claimSettle = new AbortController();
  /**
   * True while listen itself verifies (from the claim, whose create/update probes the endpoint, to the end of
   * the verification): test and challenge deliveries without the key, or with the webhook's previous secret,
   * are then accepted and reported (spec §17 #18). The token gate and check-challenge keep a forged token from
   * costing more than one check-challenge call.
   */
  private handshakeWindow = false;
  /** The secret the webhook had before listen set its own (read while claiming it). */
  private previousSecret: string | undefined;

  constructor(
    private readonly opts: ListenOptions,
    private readonly deps: ListenDeps,
  ) {
    this.stopper = createStopper(deps.signal);
    this.signal = this.stopper.signal;
    this.signal.addEventListener(
      "abort",
      () => setTimeout(() => this.claimSettle.abort(this.signal.reason), CLAIM_SETTLE_MS).unref(),
      { once: true },
    );
    this.tokens = createTokenQueue(deps.clock);
    const { clock, env, emit } = deps;
    const onUntil = () => this.stopper.finish({ kind: "until" });
    this.dispatcher = createDispatcher({ ...opts, clock, env, emit, onUntil });
  }

  async run(): Promise<ListenResult> {
    const { opts, deps, stopper } = this;
    this.armSetupDeadline();
    const settingUp = this.setup().catch((error) => this.fail(error));
    const outcome = await stopper.done;
    await Promise.race([settingUp, wait(SETUP_SETTLE_MS)]);
    await Promise.race([this.repointing, wait(SETUP_SETTLE_MS)]);
    const exitFailure = await this.shutdown(outcome);

    const webhookId = this.claim?.webhookId;
    if (outcome.kind === "error") throw outcome.error;
    if (outcome.kind === "signal") {
      const { cause } = outcome;
      const notASignal = cause !== "SIGINT" && cause !== "SIGTERM" && cause !== "SIGHUP" ? { cause } : {};
      deps.emit({
        type: "interrupted",
        signal: outcome.signal,
        on_exit: opts.onExit,
        webhook_id: webhookId,
        ...notASignal,
      });
      return { reason: "interrupted", signal: outcome.signal, webhookId, ...notASignal };
    }
    if (exitFailure) throw new CertwhError(exitFailure, ExitCode.refused, { code: "on_exit_failed" });
    return { reason: "until", webhookId };
  }

  private fail(error: unknown): void {
    this.stopper.finish({ kind: "error", error });
  }

  /** --timeout, from ready: stop with a TimeoutError (exit 6) unless the session ended first. */
  private armTimeout(): void {
    const { timeoutMs: ms, until } = this.opts;
    if (ms === undefined) return;
    this.deps.clock.sleep(ms, this.signal).then(
      () => {
        this.timedOut = !this.stopper.outcome;
        this.fail(
          new TimeoutError(
            `${until ? `No ${until.event} event${until.orderId !== undefined ? ` for order ${until.orderId}` : ""} arrived` : "Listen stopped"} within --timeout ${this.opts.timeoutText ?? duration(ms)} (counted from ready).`,
            // The in-process sandbox is gone once listen exits: no `certwh logs` to ask.
            this.opts.sandbox
              ? { hint: "Raise --timeout." }
              : { hint: "Raise --timeout, or check `certwh logs` for deliveries CertCentral attempted." },
          ),
        );
      },
      () => undefined,
    );
  }

  /** With --timeout, getting ready has its own limit and its own words (--timeout starts at ready). */
  private armSetupDeadline(): void {
    if (this.opts.timeoutMs === undefined) return;
    const ms = this.opts.setupTimeoutMs ?? DEFAULT_SETUP_TIMEOUT_MS;
    this.deps.clock.sleep(ms, this.signal).then(
      () => {
        if (this.ready) return;
        this.timedOut = !this.stopper.outcome;
        this.fail(
          new TimeoutError(
            `Listen was not ready within ${duration(ms)} of starting (tunnel, webhook and its verification), so --timeout never started.`,
            { hint: "Check the tunnel and `certwh status`, then run listen again." },
          ),
        );
      },
      () => undefined,
    );
  }

  /** Journal, receiver, tunnel, the webhook claimed and verified, then the ready block. */
  private async setup(): Promise<void> {
    const { opts, deps } = this;
    await this.openJournal();
    const receiver = this.startReceiver();
    const server = await receiver
      .listen({ host: opts.host, port: opts.port, limits: opts.limits })
      .catch((error: unknown) => {
        throw withPortFlagHint(error);
      });
    this.server = server;
    server.connections.onReport((r) =>
      deps.emit({
        type: "connection_limit",
        at: isoTime(deps.clock.now()),
        shed: r.shed,
        evicted: r.evicted,
        open: r.open,
        max_connections: r.maxConnections,
      }),
    );
    deps.emit({ type: "state", stage: "receiver_started", local_url: server.url.href });
    const base = await this.startTunnel(server.port, receiver.path);
    const publicUrl = this.publicUrl as string;

    this.handshakeWindow = true;
    try {
      await this.claimAndVerify(publicUrl, base);
    } finally {
      this.handshakeWindow = false;
    }
    this.active = true;
    this.ready = true;
    // The tunnel may have moved while the first verification ran.
    if (this.watch?.base.href !== this.pointedBase) {
      this.scheduleRepoint();
      await this.repointing;
    }
    this.signal.throwIfAborted();
    deps.emit(this.readyEvent(server.url.href, this.claim as Claim));
    this.armTimeout();
  }

  private async claimAndVerify(publicUrl: string, base: URL): Promise<void> {
    const { opts, deps } = this;
    const env = deps.env ?? process.env;
    // Before the claim, so that a session that crashes mid-claim is still recognised later.
    if (opts.sandbox === undefined) recordListenEndpoint(env, publicUrl);
    const claim = await claimWebhook(this.apiNotingSecret(), {
      endpoint: publicUrl,
      env,
      secret: opts.secret,
      events: opts.events,
      alsoSubscribe: opts.until ? [opts.until.event] : undefined,
      settings: opts.settings,
      force: opts.force,
      confirm: deps.confirmTakeover,
      signal: this.signal,
      emit: deps.emit,
    });
    this.claim = claim;
    this.pointedBase = base.href;
    await this.verify(claim.webhookId, publicUrl);
  }

  /**
   * The API for claiming, noting the existing webhook's secret when it is read: the update that replaces it
   * probes the endpoint, and that probe may carry the previous secret (spec §17 #18). The create or update
   * is not cut short by a stop at once (CLAIM_SETTLE_MS): its answer says what the on-exit action applies to.
   */
  private apiNotingSecret(): ClaimApi {
    const api = this.deps.api;
    const note = (hook: Webhook | null) => {
      this.before = hook;
      if (hook?.secret && hook.secret !== this.opts.secret) this.previousSecret = hook.secret;
      return hook;
    };
    const settling = { signal: this.claimSettle.signal };
    const sent = async <T>(kind: "create" | "update", request: () => Promise<T>): Promise<T> => {
      this.signal.throwIfAborted(); // nothing new is sent once the session stopped
      this.claimSent = kind;
      this.claimInFlight = true;
      try {
        return await request();
      } catch (error) {
        // The stop aborts the request only once the settle time is up: before that, the failure is its own.
        if (!this.claimSettle.signal.aborted) this.claimFailure = describeError(error);
        throw error;
      } finally {
        this.claimInFlight = false;
      }
    };
    return {
      getWebhook: (call) => api.getWebhook(call).then(note),
      createWebhook: (body) => sent("create", () => api.createWebhook(body, settling)),
      updateWebhook: (id, body) => sent("update", () => api.updateWebhook(id, body, settling)),
    };
  }

  /** The ready block: where events arrive, what protects them, and what happens to them. */
  private readyEvent(localUrl: string, claim: Claim) {
    const { opts } = this;
    return {
      type: "ready",
      public_url: this.publicUrl as string,
      local_url: localUrl,
      webhook_id: claim.webhookId,
      status: "active",
      events: claim.events,
      tunnel: this.deps.tunnel.description,
      protections: {
        key_check: true,
        ip_allowlist: ipAllowlist(opts),
        source_check: sourceCheck(opts),
      },
      forward_to: opts.forwardTo?.[0] ?? null,
      forward_targets: opts.forwardTo ?? [],
      ...(opts.skipVerify ? { skip_verify: true as const } : {}),
      journal: opts.journalPath ?? null,
      on_exit: opts.onExit,
      until: opts.until?.event ?? null,
      ...(opts.sandbox ? { sandbox_url: opts.sandbox.url, sandbox_api_key: opts.sandbox.apiKey } : {}),
      ...(opts.secretOrigin
        ? { secret: { generated: opts.secretOrigin.generated, saved_to: opts.secretOrigin.savedTo ?? null } }
        : {}),
    } as const;
  }

  private async openJournal(): Promise<void> {
    // Requests in flight will each append a line soon: a journal write waits briefly to take them together.
    const journalPath = this.opts.journalPath;
    if (!journalPath) return;
    this.journal = await openJournal(journalPath, {
      expectedAppends: () => this.receiver?.inFlight ?? 0,
      onReplaced: () => this.deps.emit({ type: "state", stage: "journal_replaced", journal: journalPath }),
      onShared: () => this.deps.emit({ type: "state", stage: "journal_shared", journal: journalPath }),
    }).catch((error: unknown) => {
      throw journalFailure(journalPath, error);
    });
  }

  private startReceiver(): Receiver {
    const { opts } = this;
    const receiver = createReceiver({
      secret: opts.secret,
      trustTunnel: true,
      networkPeers: bindsToNetwork(opts.host),
      sourceAllowlist: opts.edgeAllowlist,
      clock: this.deps.clock,
      onAccept: (d) => this.journalDelivery(d),
      dedupe: opts.dropRepeats ? { drop: true } : undefined,
      handshakeOpen: () => this.handshakeWindow,
      previousSecret: () => this.previousSecret,
      // Once the session stops, deliveries are answered 503 (the sender retries later); a create or update
      // settling after the stop needs its probe of the endpoint answered.
      accepting: () => !this.signal.aborted || this.claimInFlight,
    });
    this.receiver = receiver;
    this.wireReceiver(receiver);
    return receiver;
  }

  /**
   * Written and flushed before the 200: a failing forward target or a crash never loses an event. Without a
   * journal the event lives only in the forward and exec queues: when they have no room it is refused (503)
   * rather than acknowledged and dropped, so CertCentral keeps it and retries.
   */
  private async journalDelivery(d: AcceptedDelivery): Promise<AcceptRefusal | undefined> {
    const refusal = this.journal ? undefined : this.dispatcher.reserve(d);
    if (refusal) return refusal;
    const entry = this.entryOf(d);
    try {
      await this.journal?.append(entry);
    } catch (error) {
      // The sender gets a 500; listen cannot keep its promise that an acknowledged event is on disk.
      this.fail(journalFailure(this.opts.journalPath, error));
      throw error;
    }
    this.accepted.set(d.digest, d);
    this.deps.onAccepted?.(entry);
    return undefined;
  }

  /** The journal entry of an accepted delivery (what the journal, and the inspector, may hold). */
  private entryOf(d: AcceptedDelivery): JournalEntry {
    return journalEntry({
      body: d.text, // decoded once by the receiver
      event: d.event.name,
      headers: d.headers, // content-type and user-agent only
      // The receiver always checks the key in listen; only a handshake during a verification may lack it.
      keyPresent: d.handshakeKey !== "missing",
      receivedAt: d.receivedAt,
      digest: d.digest, // the receiver already hashed the body
      firstReceivedAt: d.repeatOf?.firstReceivedAt,
    });
  }

  /** Receiver outcomes become listen events; an accepted delivery goes to the dispatcher. */
  private wireReceiver(r: Receiver): void {
    const { emit } = this.deps;
    const { accepted } = this;
    r.on("accepted", (o) => {
      const delivery = accepted.get(o.delivery.digest);
      accepted.delete(o.delivery.digest);
      const key = o.delivery.handshakeKey;
      if (key) emit({ type: "state", stage: "handshake_accepted", event: o.event.name, key });
      if (delivery) this.dispatcher.handle(delivery);
    });
    r.on("duplicate", (o) => {
      const first = o.delivery.repeatOf?.firstReceivedAt;
      emit({
        type: "duplicate",
        event: o.event.name,
        received_at: isoTime(o.delivery.receivedAt),
        id: o.delivery.digest.slice(0, 16),
        ...(first !== undefined ? { first_received_at: isoTime(first) } : {}),
      });
    });
    r.on("rejected", (o) =>
      emit({
        type: "rejected",
        status: o.status,
        reason: o.reason,
        ...(o.detail ? { detail: o.detail } : {}),
        received_at: isoTime(o.receivedAt),
        ...(o.remoteAddress ? { remote_address: o.remoteAddress } : {}),
      }),
    );
    r.on("challenge", (c) => {
      const result = this.tokens.offer(c.token, c.webhookId);
      if (result !== "queued") emit({ type: "state", stage: "challenge_ignored", reason: result });
    });
  }

  /** Start the tunnel to the receiver's port and watch it; returns its base URL. */
  private async startTunnel(port: number, path: string): Promise<URL> {
    const { opts, deps } = this;
    const { tunnel, emit } = deps;
    emit({
      type: "state",
      stage: "tunnel_starting",
      tunnel: tunnel.description,
      ip_allowlist: ipAllowlist(opts),
    });
    const base = await tunnel.start(port, this.signal);
    this.signal.throwIfAborted();
    this.publicUrl = joinPublicUrl(base, path).href;
    emit({ type: "state", stage: "tunnel_started", public_url: this.publicUrl, tunnel: tunnel.description });
    this.watch = watchTunnel({
      tunnel,
      clock: deps.clock,
      graceMs: opts.tunnelGraceMs ?? DEFAULT_TUNNEL_GRACE_MS,
      base,
      path,
      emit,
      onNewUrl: () => {
        if (this.ready) this.scheduleRepoint();
      },
      onLost: (error) => this.fail(error),
    });
    return base;
  }

  private verify(webhookId: number, endpoint: string): Promise<unknown> {
    const { opts, deps } = this;
    return verifyEndpoint({
      api: deps.api,
      webhookId,
      endpoint,
      secret: opts.secret,
      clock: deps.clock,
      signal: this.signal,
      tokens: this.tokens,
      windowMs: opts.challengeWindowMs,
      onStage: (stage) => deps.emit({ type: "state", ...stage }),
    });
  }

  private scheduleRepoint(): void {
    this.repointing = this.repointing.then(() => this.repoint()).catch((error) => this.fail(error));
  }

  /** Follow the tunnel to a new URL: re-point the webhook, then verify and activate it again. */
  private async repoint(): Promise<void> {
    const { deps, opts, claim, receiver, watch } = this;
    if (!claim || !receiver || !watch) return;
    for (let i = 0; i < 10 && watch.base.href !== this.pointedBase; i++) {
      const base = watch.base;
      const endpoint = joinPublicUrl(base, receiver.path).href;
      const id = claim.webhookId;
      this.active = false;
      deps.emit({ type: "state", stage: "reverifying", webhook_id: id, public_url: endpoint });
      // Unreported events were kept at the claim; they are kept here too (left out of the update).
      const change = { endpoint, secret: opts.secret, ...(claim.events ? { events: claim.events } : {}) };
      this.handshakeWindow = true;
      if (opts.sandbox === undefined) recordListenEndpoint(deps.env ?? process.env, endpoint);
      try {
        await deps.api.updateWebhook(id, change, { signal: this.signal });
        this.publicUrl = endpoint;
        this.pointedBase = base.href;
        await this.verify(id, endpoint);
      } finally {
        this.handshakeWindow = false;
      }
      this.active = true;
      deps.emit({ type: "state", stage: "reverified", webhook_id: id, public_url: endpoint });
    }
  }

  /** Stop accepting, run the on-exit action, close the tunnel, let forwards finish. Returns an on-exit failure. */
  private async shutdown(o: StopOutcome): Promise<string | undefined> {
    const { deps, opts, timedOut } = this;
    const reason =
      o.kind === "until" ? "until" : o.kind === "signal" ? "interrupted" : timedOut ? "timeout" : "error";
    deps.emit({ type: "state", stage: "stopping", reason });
    this.dispatcher.stopping();
    this.watch?.stop();
    if (o.kind === "until") {
      // Let the answer to the delivery that satisfied --until leave the socket before closing it.
      for (let i = 0; i < 50 && (this.receiver?.stats.inFlight ?? 0) > 0; i++) await wait(20);
      await new Promise((resolve) => setImmediate(resolve));
    }
    // The receiver answers 503 from the stop on; it stays open (so nothing is refused without an answer)
    // until the on-exit action has run and the forwards have drained.
    let failure: string | undefined;
    if (!this.claim && this.claimSent) this.claim = await this.readBackClaim();
    if (this.claim) {
      const result = await runOnExit({
        api: deps.api,
        action: opts.onExit,
        claim: this.claim,
        active: this.active,
        publicUrl: this.publicUrl,
        sandbox: opts.sandbox !== undefined,
        timeoutMs: deps.onExitTimeoutMs ?? DEFAULT_ON_EXIT_TIMEOUT_MS,
        env: deps.env ?? process.env,
        hurry: deps.hurry,
        emit: deps.emit,
      });
      if (result.outcome === "failed") failure = result.message;
    }
    const drainMs = o.kind === "until" ? FINAL_DRAIN_MS : STOP_DRAIN_MS;
    const forwards = this.dispatcher.pendingForwards;
    if (forwards > 0 && !deps.hurry?.aborted)
      deps.emit({ type: "state", stage: "draining", forwards, wait_ms: drainMs });
    await Promise.race([this.dispatcher.drain(), wait(drainMs), whenAborted(deps.hurry)]);
    await this.server?.close();
    await deps.tunnel.close().catch(() => undefined);
    await this.dispatcher.close();
    await this.journal?.close().catch(() => undefined);
    return failure;
  }

  /**
   * The create or update of the webhook failed, or the stop cut it short: read the account back. A webhook
   * pointing at this session's receiver is this session's, and gets the on-exit action.
   */
  private async readBackClaim(): Promise<Claim | undefined> {
    const { deps, claimSent } = this;
    const warn = (message: string) => deps.emit({ type: "warning", message });
    const what = this.claimFailure
      ? `The ${claimSent} of the webhook failed (${this.claimFailure})`
      : `The ${claimSent} of the webhook was cut short by the stop`;
    const limit = deadline(deps.onExitTimeoutMs ?? DEFAULT_ON_EXIT_TIMEOUT_MS);
    try {
      const now = await deps.api.getWebhook({ signal: limit.signal });
      if (now && this.publicUrl && sameUrl(now.endpoint, this.publicUrl)) {
        const previous = claimSent === "update" && this.before ? structuredClone(this.before) : undefined;
        warn(`${what}; reading the account back shows webhook ${now.id} points at this session.`);
        return { webhookId: now.id, previous, events: now.events };
      }
      warn(
        `${what}, and reading the account back does not show it ` +
          `${now ? `(webhook ${now.id} points at ${now.endpoint})` : "(the account has no webhook)"}: nothing to undo. ` +
          "If CertCentral applies it later, the webhook points at this closed receiver: check `certwh status`.",
      );
    } catch (err) {
      warn(
        `${what}, and the account could not be read back (${err instanceof Error ? err.message : String(err)}): CertCentral may have applied it. Check \`certwh status\`.`,
      );
    } finally {
      limit.clear();
    }
    return undefined;
  }
}

function duration(ms: number): string {
  return ms < 10_000
    ? `${ms} ms`
    : ms < 120_000
      ? `${Math.round(ms / 1000)} s`
      : `${Math.round(ms / 60_000)} min`;
}

/** The receiver library's bind errors speak of ports; the CLI's advice names its flag. */
const PORT_FLAG_HINTS: Record<string, string> = {
  [BIND_ERROR_CODES.inUse]: "Choose another --port, or leave it out to let the system pick a free one.",
  [BIND_ERROR_CODES.notAllowed]:
    "Ports below 1024 need extra privileges; use a higher --port or leave it out.",
};

function withPortFlagHint(error: unknown): unknown {
  const hint = error instanceof UsageError && error.code ? PORT_FLAG_HINTS[error.code] : undefined;
  if (!hint || !(error instanceof UsageError)) return error;
  return new UsageError(error.message, { hint, code: error.code, cause: error.cause });
}
