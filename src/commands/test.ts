// certwh test: CertCentral's test event to the webhook's endpoint, or to a candidate URL before
// switching (update-url). The current secret goes along so a receiver that checks X-WEBHOOK-KEY accepts it,
// but to a candidate on another origin only with --with-secret: a typed URL may be someone else's.

import { NotFoundError, RefusedError } from "../errors.js";
import { reword } from "../io/exit-codes.js";
import { registerSecret } from "../util/redact.js";
import { isSlackWebhookUrl } from "../util/slack.js";
import type { CommandContext } from "./context.js";
import { parseEndpointUrl, type UrlPolicy } from "./options/webhook-flags.js";
import type { TestFlags } from "./specs/lifecycle.js";
import { localEndpoint } from "./webhook/change-failure.js";
import { urlPolicy } from "./webhook/current.js";
import { slackDeliveryFailure } from "./webhook/verification-steps.js";

interface TestOptions {
  /** A candidate URL; undefined → the webhook's current endpoint. */
  url?: string;
  withSecret: boolean;
}

export function parseTestOptions(raw: TestFlags, policy: UrlPolicy): TestOptions {
  return {
    url: raw.url === undefined ? undefined : parseEndpointUrl(raw.url, policy),
    withSecret: raw.withSecret === true,
  };
}

const origin = (url: string | undefined) => (url === undefined ? undefined : URL.parse(url)?.origin);

export async function run(raw: TestFlags, ctx: CommandContext): Promise<void> {
  const policy = await urlPolicy(ctx);
  const opts = parseTestOptions(raw, policy);
  const api = await ctx.api();
  const hook = await api.getWebhook({ signal: ctx.signal });
  if (!hook && opts.url === undefined) {
    throw new NotFoundError("No webhook is configured, so there is no endpoint to test.", {
      hint: "Test a URL with `certwh test --url https://hooks.example.com/certcentral`.",
    });
  }
  const endpoint = opts.url ?? (hook?.endpoint as string);
  registerSecret(hook?.secret);
  const secretGoes = opts.withSecret || origin(endpoint) === origin(hook?.endpoint);
  const secret = secretGoes ? hook?.secret : undefined;
  if (hook?.secret && !secretGoes) {
    ctx.io.info(
      `The webhook's secret is not sent: ${origin(endpoint)} is not the endpoint's origin (${origin(hook.endpoint)}). ` +
        "Add --with-secret if that receiver is yours and checks X-WEBHOOK-KEY.",
    );
  }
  const slack = isSlackWebhookUrl(endpoint);
  if (slack) {
    ctx.io.info(
      "This is a Slack incoming webhook: CertCentral posts a Slack message there, not the raw JSON event.",
    );
  }
  try {
    await api.testEndpoint(secret ? { endpoint, secret } : { endpoint }, { signal: ctx.signal });
  } catch (err) {
    const slackFailure = slackDeliveryFailure(endpoint, err);
    if (slackFailure) throw new RefusedError(slackFailure, { code: "webhook_endpoint_error", cause: err });
    if (!ctx.signal.aborted && localEndpoint(policy, endpoint)) {
      // The sandbox delivers on this computer: word the failure without the internet.
      throw reword(err, {}, { endpoint, localEndpoint: true });
    }
    throw err;
  }
  ctx.io.done(
    { endpoint, delivered: true, with_secret: secret !== undefined, slack },
    slack
      ? `CertCentral accepted the test notification for ${endpoint}; look for its message in the Slack channel.`
      : `CertCentral delivered the test event to ${endpoint} and it answered 2xx${secret ? " (certwh sent the webhook's secret with the request, for X-WEBHOOK-KEY)" : ""}.`,
  );
}
