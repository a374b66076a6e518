// The bodies CertCentral POSTs to a webhook endpoint (spec §12), built for `certwh trigger` and the
// sandbox, and read back (payloadData) by replay and the inspector. Payloads of organization_*, domain_*
// and order_approval_email_sent are certwh's guesses (spec §17 #4, #5; catalogue.ts marks them guessedPayload).

import { randomInt } from "node:crypto";
import { withoutBom } from "../util/without-bom.js";
import { certificateChain } from "./fixtures/chain.js";

export interface EventBody {
  event: string;
  data?: Record<string, unknown>;
}

interface PayloadOptions {
  orderId?: number;
  certificateId?: number;
  organizationId?: number;
  domainId?: number;
  /** certificate_issued only: include the real fixture chain (leaf CN example.com). */
  withChain?: boolean;
  /** challenge_webhook_endpoint only. */
  token?: string;
  webhookId?: number;
}

// Sample IDs in the range of DigiCert's event-log example (§11.2).
export const SAMPLE_ORDER_ID = 470091052;
export const SAMPLE_CERTIFICATE_ID = 471270113;
const SAMPLE_ORGANIZATION_ID = 112233;
const SAMPLE_DOMAIN_ID = 445566;

type SampleIds = Required<Pick<PayloadOptions, "orderId" | "certificateId" | "organizationId" | "domainId">>;

/**
 * Fresh ids of realistic size (9-digit order and certificate ids, 6-digit organization and domain ids),
 * so two made-up events are never the same event to a receiver that removes duplicates.
 */
export function randomSampleIds(): SampleIds {
  return {
    orderId: randomInt(100_000_000, 1_000_000_000),
    certificateId: randomInt(100_000_000, 1_000_000_000),
    organizationId: randomInt(100_000, 1_000_000),
    domainId: randomInt(100_000, 1_000_000),
  };
}

/** The `{event, data}` body CertCentral would send for `event`. Unknown names get the order/cert IDs. */
export function buildEvent(event: string, opts: PayloadOptions = {}): EventBody {
  const order = {
    order_id: opts.orderId ?? SAMPLE_ORDER_ID,
    certificate_id: opts.certificateId ?? SAMPLE_CERTIFICATE_ID,
  };
  switch (event) {
    case "test_webhook_endpoint":
      return { event };
    case "challenge_webhook_endpoint":
      return { event, data: { token: opts.token ?? "", webhook_id: opts.webhookId ?? 0 } };
    case "certificate_issued":
      return { event, data: opts.withChain ? { ...order, certificate_chain: certificateChain() } : order };
    case "order_approval_email_sent":
      // camelCase keys as in DigiCert's only example (§11.3).
      return {
        event,
        data: {
          ...order,
          orderApprovalEmailStatus: "sent",
          orderApprovalEmails: ["approver1@example.com", "approver2@example.com"],
        },
      };
    default:
      if (event.startsWith("organization_")) {
        return { event, data: { organization_id: opts.organizationId ?? SAMPLE_ORGANIZATION_ID } };
      }
      if (event.startsWith("domain_"))
        return { event, data: { domain_id: opts.domainId ?? SAMPLE_DOMAIN_ID } };
      return { event, data: order };
  }
}

/**
 * The Slack message sent instead of the raw event when the endpoint is a Slack incoming webhook.
 * The wording is certwh's own: DigiCert's Slack format is not documented (spec §15).
 */
export function slackText(body: EventBody): string {
  const data = body.data ?? {};
  switch (body.event) {
    case "test_webhook_endpoint":
      return "CertCentral test notification: this Slack channel can receive webhook notifications.";
    case "challenge_webhook_endpoint":
      return (
        `CertCentral webhook verification for webhook ${String(data.webhook_id)}. ` +
        `Token: ${String(data.token)} (valid for 30 minutes). Enter it to verify the webhook, then activate it.`
      );
    default: {
      const details = Object.entries(data)
        .filter(([, v]) => typeof v === "string" || typeof v === "number")
        .map(([k, v]) => `${k} ${String(v)}`);
      return `CertCentral event: ${body.event}${details.length ? ` (${details.join(", ")})` : ""}`;
    }
  }
}

/** The `data` object of a delivery's JSON body (order and certificate ids live there), or undefined when
 * the body is not JSON: journal entries and kept deliveries hold the body as text. */
export function payloadData(body: string): unknown {
  try {
    return (JSON.parse(withoutBom(body)) as { data?: unknown } | null)?.data;
  } catch {
    return undefined;
  }
}
