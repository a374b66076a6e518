// `certwh listen` without the terminal: receiver → tunnel → single-webhook guard → verification → ready →
// events, until --until, --timeout, a signal or a fatal error; then the --on-exit action exactly once.
// Everything from the outside is injected (API, tunnel, clock, signal), and progress is reported as typed
// events (types.ts) that src/io/render-listen.ts prints. The order matters:
// - the tunnel is up before anything in the account changes (a tunnel failure leaves the account untouched);
// - the receiver answers 200 once a delivery is authenticated, parsed and journaled, and never waits on the
//   API or a forward target (dispatch.ts runs after the answer);
// - on the way out: stop accepting, run the on-exit action, close the tunnel, let forwards finish.

import { CertwhError, ExitCode, TimeoutError, UsageError } from "../errors.js";
import { createReceiver, type Receiver } from "../receiver/handler.js";
import type { AcceptedDelivery } from "../receiver/outcomes.js";
import type { ReceiverServer } from "../receiver/server.js";
import { joinPublicUrl } from "../tunnel/tunnel.js";
import { verifyEndpoint } from "../verification/captured-tokens.js";
import { createTokenQueue } from "../verification/token-queue.js";
import { createDispatcher, type Dispatcher } from "./dispatch.js";
import { type Claim, claimWebhook } from "./guard.js";
import { isoTime } from "./iso-time.js";
import { type Journal, journalEntry, openJournal } from "./journal.js";
import { runOnExit } from "./on-exit.js";
import { createStopper, type StopOutcome } from "./stopper.js";
import { type TunnelWatch, watchTunnel } from "./tunnel-watch.js";
import {
  DEFAULT_MAX_CHALLENGES,
  DEFAULT_TUNNEL_GRACE_MS,
  type ListenDeps,
  type ListenOptions,
  type ListenResult,
} from "./types.js";

const FIRST_SEEN_LIMIT = 1000;
/** After --until: time left for the last forwards and commands to finish. */
const FINAL_DRAIN_MS = 10_000;
/** After a signal or an error: a shorter wait; forwards still pending are reported (they are in the journal). */
const STOP_DRAIN_MS = 3_000;
/** Time the setup steps get to wind down after the session was stopped (they all listen to its signal). */
const SETUP_SETTLE_MS = 5_000;

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

function journalFailure(path: string | undefined, error: unknown): CertwhError {
  const reason = (error as NodeJS.ErrnoException)?.code ?? (error as Error)?.message ?? String(error);
  return new UsageError(
    `Could not write the journal ${path} (${reason}), so events cannot be acknowledged.`,
    {
      hint: "Free some space or fix its permissions, choose another --journal, or run with --no-journal.",
      code: "journal_write_failed",
    },
  );
}

export async function runListen(opts: ListenOptions, deps: ListenDeps): Promise<ListenResult> {
  const { api, tunnel, clock, emit } = deps;
  const stopper = createStopper(deps.signal);
  const signal = stopper.signal;
  const tokens = createTokenQueue(clock);
  const maxChallenges = opts.maxChallenges ?? DEFAULT_MAX_CHALLENGES;
  /** Digest → epoch ms of its first acceptance; formatted only when a duplicate is reported. */
  const firstSeen = new Map<string, number>();
  const accepted = new Map<string, AcceptedDelivery>();

  let journal: Journal | undefined;
  let receiver: Receiver | undefined;
  let server: ReceiverServer | undefined;
  let watch: TunnelWatch | undefined;
  let claim: Claim | undefined;
  let active = false;
  let ready = false;
  let publicUrl: string | undefined;
  let pointedBase: string | undefined;
  let repointing: Promise<void> = Promise.resolve();

  const dispatcher: Dispatcher = createDispatcher({
    forwardTo: opts.forwardTo,
    journalPath: opts.journalPath,
    exec: opts.exec,
    saveChainDir: opts.saveChainDir,
    until: opts.until,
    secret: opts.secret,
    clock,
    env: deps.env,
    emit,
    onUntil: () => stopper.finish({ kind: "until" }),
  });

  const verify = (webhookId: number, endpoint: string) =>
    verifyEndpoint({
      api,
      webhookId,
      endpoint,
      secret: opts.secret,
      clock,
      signal,
      tokens,
      windowMs: opts.challengeWindowMs,
      maxChallenges,
      onStage: (stage) => emit({ type: "state", ...stage }),
    });

  /** Follow the tunnel to a new URL: re-point the webhook, then verify and activate it again. */
  async function repoint(): Promise<void> {
    for (let i = 0; i < 10 && claim && receiver && watch && watch.base.href !== pointedBase; i++) {
      const base = watch.base;
      const endpoint = joinPublicUrl(base, receiver.path).href;
      const id = claim.webhookId;
      active = false;
      emit({ type: "state", stage: "reverifying", webhook_id: id, public_url: endpoint });
      await api.updateWebhook(id, { endpoint, secret: opts.secret, events: claim.events }, { signal });
      publicUrl = endpoint;
      pointedBase = base.href;
      await verify(id, endpoint);
      active = true;
      emit({ type: "state", stage: "reverified", webhook_id: id, public_url: endpoint });
    }
  }
  const scheduleRepoint = () => {
    repointing = repointing.then(repoint).catch((error) => stopper.finish({ kind: "error", error }));
  };

  function wireReceiver(r: Receiver): void {
    r.on("accepted", (o) => {
      const delivery = accepted.get(o.delivery.digest);
      accepted.delete(o.delivery.digest);
      firstSeen.set(o.delivery.digest, o.delivery.receivedAt);
      if (firstSeen.size > FIRST_SEEN_LIMIT) firstSeen.delete(firstSeen.keys().next().value as string);
      if (delivery) dispatcher.handle(delivery);
    });
    r.on("duplicate", (o) => {
      const first = firstSeen.get(o.delivery.digest);
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
      const result = tokens.offer(c.token, c.webhookId);
      if (result !== "queued") emit({ type: "state", stage: "challenge_ignored", reason: result });
    });
  }

  async function setup(): Promise<void> {
    // Requests in flight will each append a line soon: a journal write waits briefly to take them together.
    const journalPath = opts.journalPath;
    if (journalPath) {
      journal = await openJournal(journalPath, { expectedAppends: () => receiver?.inFlight ?? 0 }).catch(
        (error: unknown) => {
          throw journalFailure(journalPath, error);
        },
      );
    }
    const r = createReceiver({
      path: opts.path,
      secret: opts.secret,
      trustTunnel: true,
      sourceAllowlist: opts.sourceAllowlist,
      clock,
      // Written and flushed before the 200: a failing forward target or a crash never loses an event.
      onAccept: async (d) => {
        const entry = journalEntry({
          body: d.text, // decoded once by the receiver
          event: d.event.name,
          headers: d.headers, // content-type and user-agent only
          keyPresent: true, // the receiver always checks the key in listen
          receivedAt: d.receivedAt,
          digest: d.digest, // the receiver already hashed the body
        });
        try {
          await journal?.append(entry);
        } catch (error) {
          // The sender gets a 500; listen cannot keep its promise that an acknowledged event is on disk.
          stopper.finish({ kind: "error", error: journalFailure(opts.journalPath, error) });
          throw error;
        }
        accepted.set(d.digest, d);
      },
    });
    receiver = r;
    wireReceiver(r);
    server = await r.listen({ host: opts.host, port: opts.port, limits: opts.limits });
    emit({ type: "state", stage: "receiver_started", local_url: server.url.href });

    emit({
      type: "state",
      stage: "tunnel_starting",
      tunnel: tunnel.description,
      ip_allowlist: opts.edgeAllowlist?.length ? [...opts.edgeAllowlist] : null,
    });
    const base = await tunnel.start(server.port, signal);
    signal.throwIfAborted();
    publicUrl = joinPublicUrl(base, r.path).href;
    emit({ type: "state", stage: "tunnel_started", public_url: publicUrl, tunnel: tunnel.description });
    watch = watchTunnel({
      tunnel,
      clock,
      graceMs: opts.tunnelGraceMs ?? DEFAULT_TUNNEL_GRACE_MS,
      base,
      path: r.path,
      emit,
      onNewUrl: () => {
        if (ready) scheduleRepoint();
      },
      onLost: (error) => stopper.finish({ kind: "error", error }),
    });

    claim = await claimWebhook(api, {
      endpoint: publicUrl,
      secret: opts.secret,
      events: opts.events,
      alsoSubscribe: opts.until ? [opts.until.event] : undefined,
      defaultEvents: opts.defaultEvents,
      settings: opts.settings,
      force: opts.force,
      confirm: deps.confirmTakeover,
      signal,
      emit,
    });
    pointedBase = base.href;
    await verify(claim.webhookId, publicUrl);
    active = true;
    ready = true;
    // The tunnel may have moved while the first verification ran.
    if (watch.base.href !== pointedBase) {
      scheduleRepoint();
      await repointing;
    }
    signal.throwIfAborted();
    emit({
      type: "ready",
      public_url: publicUrl,
      local_url: server.url.href,
      webhook_id: claim.webhookId,
      status: "active",
      events: claim.events,
      tunnel: tunnel.description,
      protections: {
        key_check: true,
        ip_allowlist: opts.edgeAllowlist?.length ? [...opts.edgeAllowlist] : null,
        source_check: opts.sourceAllowlist?.length
          ? `loopback peers; last X-Forwarded-For in ${opts.sourceAllowlist.join(", ")}`
          : "loopback peers only",
      },
      forward_to: opts.forwardTo ?? null,
      journal: opts.journalPath ?? null,
      on_exit: opts.onExit,
      until: opts.until?.event ?? null,
      ...(opts.sandbox ? { sandbox_url: opts.sandbox.url, sandbox_api_key: opts.sandbox.apiKey } : {}),
      ...(opts.secretOrigin
        ? { secret: { generated: opts.secretOrigin.generated, saved_to: opts.secretOrigin.savedTo ?? null } }
        : {}),
    });
  }

  let timedOut = false;
  if (opts.timeoutMs !== undefined) {
    const ms = opts.timeoutMs;
    clock.sleep(ms, signal).then(
      () => {
        timedOut = !stopper.outcome;
        stopper.finish({
          kind: "error",
          error: new TimeoutError(
            `${opts.until ? `No ${opts.until.event} event arrived` : "Listen stopped"} within --timeout (${ms < 10_000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`}).`,
            { hint: "Raise --timeout, or check `certwh logs` for deliveries CertCentral attempted." },
          ),
        });
      },
      () => undefined,
    );
  }

  const settingUp = setup().catch((error) => stopper.finish({ kind: "error", error }));
  const outcome = await stopper.done;
  await Promise.race([settingUp, wait(SETUP_SETTLE_MS)]);
  await Promise.race([repointing, wait(SETUP_SETTLE_MS)]);
  const exitFailure = await shutdown(outcome);

  if (outcome.kind === "error") throw outcome.error;
  if (outcome.kind === "signal") {
    emit({ type: "interrupted", signal: outcome.signal, on_exit: opts.onExit, webhook_id: claim?.webhookId });
    return { reason: "interrupted", signal: outcome.signal, webhookId: claim?.webhookId };
  }
  if (exitFailure) {
    throw new CertwhError(exitFailure, ExitCode.refused, { code: "on_exit_failed" });
  }
  return { reason: "until", webhookId: claim?.webhookId };

  /** Returns the on-exit failure message, if the on-exit action failed. */
  async function shutdown(o: StopOutcome): Promise<string | undefined> {
    const reason =
      o.kind === "until" ? "until" : o.kind === "signal" ? "interrupted" : timedOut ? "timeout" : "error";
    emit({ type: "state", stage: "stopping", reason });
    watch?.stop();
    if (o.kind === "until") {
      // Let the answer to the delivery that satisfied --until leave the socket before closing it.
      for (let i = 0; i < 50 && (receiver?.stats.inFlight ?? 0) > 0; i++) await wait(20);
      await new Promise((resolve) => setImmediate(resolve));
    }
    await server?.close();
    let failure: string | undefined;
    if (claim) {
      const result = await runOnExit({
        api,
        action: opts.onExit,
        claim,
        active,
        publicUrl,
        timeoutMs: deps.onExitTimeoutMs ?? 20_000,
        emit,
      });
      if (result.outcome === "failed") failure = result.message;
    }
    await tunnel.close().catch(() => undefined);
    await Promise.race([dispatcher.drain(), wait(o.kind === "until" ? FINAL_DRAIN_MS : STOP_DRAIN_MS)]);
    await dispatcher.close();
    await journal?.close().catch(() => undefined);
    return failure;
  }
}
