// The sandbox's event sender: one POST per event (no retries, spec §17 #19), JSON with
// X-WEBHOOK-KEY when a secret applies, a Slack message instead for hooks.slack.com URLs.
// Redirects are never followed; an answer counts only if it arrives within the timeout.

import http from "node:http";
import https from "node:https";
import { type EventBody, slackText } from "../events/payloads.js";
import type { Clock } from "../util/clock.js";
import { isSlackWebhookUrl } from "../util/slack.js";
import { version } from "../util/version.js";
import type { Delivery, DeliveryKind } from "./types.js";

interface SenderOptions {
  clock: Clock;
  timeoutMs: number;
  slackHost?: string;
  /** Defaults to certwh-sandbox/<version>; `certwh trigger --to` is not the sandbox and says so. */
  userAgent?: string;
}

export interface SendRequest {
  kind: DeliveryKind;
  url: string;
  body: EventBody;
  secret?: string;
  timeoutMs?: number;
  webhookId?: number;
  /** Content-Type to send; null sends none (default application/json; spec §17 #19 quirks). */
  contentType?: string | null;
  /** Only 200 counts as success, not any 2xx (test events and probes under the test-exactly-200 quirk). */
  exactly200?: boolean;
}

const MAX_RESPONSE_BYTES = 64 * 1024;
/** What is kept of a refusing answer, to show why (as listen's forwards keep). */
const RESPONSE_EXCERPT_BYTES = 512;

/** Where a delivery to `url` really goes: Slack URLs are re-pointed at `slackHost` when one is set. */
export function deliveryTarget(url: string, slackHost: string | undefined): string {
  if (!slackHost || !isSlackWebhookUrl(url)) return url;
  const u = new URL(url);
  return `http://${slackHost}${u.pathname}${u.search}`;
}

export class Sender {
  private readonly inflight = new Set<http.ClientRequest>();
  private stopped = false;

  constructor(private readonly opts: SenderOptions) {}

  async send(req: SendRequest): Promise<Delivery> {
    const slack = isSlackWebhookUrl(req.url);
    const sentTo = deliveryTarget(req.url, this.opts.slackHost);
    const body: Record<string, unknown> = slack ? { text: slackText(req.body) } : { ...req.body };
    const headers: Record<string, string> = {};
    const contentType = req.contentType === undefined ? "application/json" : req.contentType;
    if (contentType !== null) headers["Content-Type"] = contentType;
    headers["User-Agent"] = this.opts.userAgent ?? `certwh-sandbox/${version()}`;
    // Slack URLs are secret themselves; Slack has no use for the key, so it is not sent there.
    if (req.secret && !slack) headers["X-WEBHOOK-KEY"] = req.secret;
    const delivery: Delivery = {
      kind: req.kind,
      url: req.url,
      sentTo,
      event: req.body.event,
      body,
      headers,
      slack,
      ok: false,
      sentAt: this.opts.clock.now(),
      webhookId: req.webhookId,
    };
    const started = performance.now();
    try {
      const answer = await this.post(
        sentTo,
        JSON.stringify(body),
        headers,
        req.timeoutMs ?? this.opts.timeoutMs,
      );
      delivery.status = answer.status;
      delivery.receivedAt = this.opts.clock.now();
      delivery.ok = req.exactly200
        ? delivery.status === 200
        : delivery.status >= 200 && delivery.status < 300;
      if (!delivery.ok && answer.start.trim()) delivery.response = answer.start;
    } catch (err) {
      delivery.error = err instanceof Error ? err.message : String(err);
    }
    // Wall time on the monotonic clock: the sandbox clock may be a ManualClock that never moves.
    delivery.durationMs = Math.round(performance.now() - started);
    return delivery;
  }

  /** Abort every delivery in flight (sandbox stop). */
  stop(): void {
    this.stopped = true;
    for (const req of this.inflight) req.destroy(new Error("sandbox stopped"));
  }

  private post(
    url: string,
    payload: string,
    headers: Record<string, string>,
    timeoutMs: number,
  ): Promise<{ status: number; start: string }> {
    if (this.stopped) return Promise.reject(new Error("sandbox stopped"));
    return new Promise((resolve, reject) => {
      const target = new URL(url);
      const lib = target.protocol === "https:" ? https : http;
      const req = lib.request(target, {
        method: "POST",
        agent: false,
        headers: { ...headers, "Content-Length": String(Buffer.byteLength(payload)) },
      });
      this.inflight.add(req);
      const timer = setTimeout(() => req.destroy(new Error("timeout")), timeoutMs);
      const finish = () => {
        clearTimeout(timer);
        this.inflight.delete(req);
      };
      req.on("response", (res) => {
        let seen = 0;
        const start: Buffer[] = [];
        res.on("data", (chunk: Buffer) => {
          if (seen < RESPONSE_EXCERPT_BYTES) start.push(chunk.subarray(0, RESPONSE_EXCERPT_BYTES - seen));
          seen += chunk.length;
          if (seen > MAX_RESPONSE_BYTES) res.destroy();
        });
        res.on("close", () => {
          finish();
          resolve({ status: res.statusCode ?? 0, start: Buffer.concat(start).toString("utf8") });
        });
        res.on("error", () => undefined);
      });
      req.on("error", (err: NodeJS.ErrnoException) => {
        finish();
        reject(new Error(err.code ?? err.message));
      });
      req.end(payload);
    });
  }
}

/** Event-log time format of DigiCert's example: UTC, seconds, no zone suffix. */
export function logTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19);
}
