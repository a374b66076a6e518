// The sandbox's behaviour behind the HTTP routes: the webhook store plus everything that sends
// (probes, test events, challenges, emitted events) and the event log those deliveries feed.

import type { WebhookSettings } from "../api/types.js";
import { buildEvent } from "../events/payloads.js";
import type { Clock } from "../util/clock.js";
import { pushBounded } from "../util/keep-newest.js";
import { logTime, Sender, type SendRequest } from "./deliver.js";
import type { QuirkSet } from "./quirks.js";
import type { WebhookStore } from "./state.js";
import { type Delivery, MAX_RECORDED, type ProbeOptions } from "./types.js";

interface EngineOptions {
  clock: Clock;
  store: WebhookStore;
  quirks: QuirkSet;
  probe: Required<ProbeOptions>;
  deliveryTimeoutMs: number;
  slackHost?: string;
  onDelivery?: (delivery: Delivery) => void;
}

interface EmitOutcome {
  delivery: Delivery | null;
  /** Why nothing was sent, when delivery is null: a stable code and a sentence. */
  code?: "no_webhook" | "not_active" | "not_subscribed";
  reason?: string;
  /** certificate_issued only: whether the body carried certificate_chain (the webhook's chain settings). */
  chainIncluded?: boolean;
}

/**
 * Whether CertCentral would put certificate_chain in this event (spec §12.3): certificate_issued only, and
 * only when a chain setting is on. The sandbox does not model instant vs non-instant issuance, so either
 * setting ("instant" or not) turns it on.
 */
function sendsChain(event: string, settings: WebhookSettings): boolean {
  return (
    event === "certificate_issued" &&
    (settings.webhook_send_certificate_chain === "1" ||
      settings.webhook_send_instant_issued_certificate_chain === "1")
  );
}

export class SandboxEngine {
  readonly deliveries: Delivery[] = [];
  readonly store: WebhookStore;
  readonly quirks: QuirkSet;
  readonly probeOptions: Required<ProbeOptions>;
  private readonly sender: Sender;
  private holding = false;
  private readonly held: SendRequest[] = [];

  constructor(private readonly opts: EngineOptions) {
    this.store = opts.store;
    this.quirks = opts.quirks;
    this.probeOptions = opts.probe;
    this.sender = new Sender({
      clock: opts.clock,
      timeoutMs: opts.deliveryTimeoutMs,
      slackHost: opts.slackHost,
    });
  }

  /**
   * The key a handshake delivery (probe, test, challenge) carries: the current secret, or none
   * (handshake-no-key), or the one before the last secret change (handshake-old-key; `previous` null:
   * there was none; undefined: the secret never changed). Spec §17 #18.
   */
  handshakeKey(current: string | undefined, previous: string | null | undefined): string | undefined {
    if (this.quirks.has("handshake-no-key")) return undefined;
    if (this.quirks.has("handshake-old-key") && previous !== undefined) return previous ?? undefined;
    return current;
  }

  /**
   * The create/update probe: a test event carrying the secret, not written to the event log. `previous`
   * is the secret before this call's change, for handshake-old-key.
   */
  async probe(endpoint: string, secret: string | undefined, previous?: string | null): Promise<boolean> {
    return (await this.sendTest("probe", endpoint, this.handshakeKey(secret, previous))).ok;
  }

  /**
   * POST /webhook/test-endpoint: logged when it goes to the current webhook's endpoint (spec §17 #24).
   * handshake-old-key re-verifies the webhook's own endpoint only: a test of any other URL carries the
   * request's secret (spec §7.2), never the webhook's previous one.
   */
  async test(endpoint: string, secret: string | undefined): Promise<Delivery> {
    const hook = this.store.current();
    const ownEndpoint = hook !== null && hook.endpoint === endpoint;
    const previous = secret !== undefined && ownEndpoint ? hook.previousSecret : undefined;
    const key = this.handshakeKey(secret, previous);
    const webhookId = ownEndpoint ? hook.id : undefined;
    const delivery = await this.sendTest("test", endpoint, key, webhookId);
    const now = this.store.current();
    if (delivery.ok && now && now.endpoint === endpoint) this.store.markTested(now.id);
    return delivery;
  }

  private sendTest(kind: "probe" | "test", url: string, secret: string | undefined, webhookId?: number) {
    const body = buildEvent("test_webhook_endpoint");
    // Any 2xx by default (spec §17 #16); test-exactly-200 is the test-endpoint page's stricter reading (§7.1).
    const exactly200 = this.quirks.has("test-exactly-200");
    return this.send({
      kind,
      url,
      body,
      secret,
      timeoutMs: this.probeOptions.timeoutMs,
      webhookId,
      exactly200,
    });
  }

  /** send-challenge: a new token, delivered now (or held back for tests of waiting). */
  async sendChallenge(id: number): Promise<void> {
    const hook = this.store.require(id);
    const numeric = this.quirks.has("numeric-token");
    const token = this.store.issueToken(id, numeric);
    const body = buildEvent("challenge_webhook_endpoint", { token: token.value, webhookId: id });
    if (numeric && body.data) body.data.token = Number(token.value);
    const req: SendRequest = {
      kind: "challenge",
      url: hook.endpoint,
      body,
      secret: this.handshakeKey(hook.secret, hook.previousSecret),
      webhookId: id,
    };
    if (this.holding) this.held.push(req);
    else await this.send(req);
  }

  holdChallenges(hold: boolean): void {
    this.holding = hold;
  }

  async releaseChallenges(): Promise<void> {
    for (const req of this.held.splice(0)) await this.send(req);
  }

  /**
   * A real event: sent only while the webhook is active and subscribed (spec §14.3). `data` is merged
   * over the sample payload, except certificate_chain, which follows the webhook's chain settings: a
   * supplied chain is dropped when they are off; when on, the supplied chain (or the sandbox's real one)
   * is sent.
   */
  async emit(event: string, data?: Record<string, unknown>): Promise<EmitOutcome> {
    const hook = this.store.current();
    if (!hook) return { delivery: null, code: "no_webhook", reason: "no webhook is configured" };
    if (hook.status !== "active")
      return { delivery: null, code: "not_active", reason: `the webhook is ${hook.status}, not active` };
    if (!hook.events.includes(event))
      return { delivery: null, code: "not_subscribed", reason: `the webhook is not subscribed to ${event}` };
    const withChain = sendsChain(event, hook.webhook_settings);
    const base = buildEvent(event, { withChain, webhookId: hook.id });
    const merged: Record<string, unknown> = { ...(base.data ?? {}), ...(data ?? {}) };
    if (!withChain) delete merged.certificate_chain;
    const req: SendRequest = {
      kind: "event",
      url: hook.endpoint,
      body: { event, data: merged },
      secret: hook.secret,
      webhookId: hook.id,
    };
    const delivery = await this.send(req);
    // repeat-deliveries: the same body again (spec §17 #19); both are recorded and logged.
    if (this.quirks.has("repeat-deliveries")) await this.send(req);
    return event === "certificate_issued" ? { delivery, chainIncluded: withChain } : { delivery };
  }

  stop(): void {
    this.held.length = 0;
    this.sender.stop();
  }

  private async send(req: SendRequest): Promise<Delivery> {
    const contentType = this.quirks.has("no-content-type")
      ? null
      : this.quirks.has("text-plain")
        ? "text/plain"
        : undefined;
    const delivery = await this.sender.send({ ...req, contentType });
    pushBounded(this.deliveries, delivery, MAX_RECORDED);
    this.opts.onDelivery?.(delivery);
    const hook = this.store.current();
    const logged = req.kind === "event" || !this.quirks.has("logs-events-only");
    if (logged && req.webhookId !== undefined && hook?.id === req.webhookId) {
      this.store.log({
        event_name: req.body.event,
        // Test and challenge entries carry no event_info, so the log never shows a token (spec §11.3).
        ...(req.kind === "event" && req.body.data ? { event_info: req.body.data } : {}),
        request_status: delivery.ok ? "success" : "failed",
        request_sent_time: logTime(delivery.sentAt),
        ...(delivery.receivedAt !== undefined
          ? { response_received_time: logTime(delivery.receivedAt) }
          : {}),
        ...(delivery.status !== undefined ? { response_code: delivery.status } : {}),
      });
    }
    return delivery;
  }
}
