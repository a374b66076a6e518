// Warnings about flag values that are accepted but deserve a word (stderr only).

import { SUBSCRIBABLE_EVENTS } from "../../events/catalogue.js";
import { suggestEventNames } from "../../events/suggest.js";
import type { Output } from "../../io/output.js";
import { isLoopbackHost } from "../../util/loopback.js";
import { isSlackWebhookUrl } from "../../util/slack.js";
import type { UrlPolicy } from "./webhook-flags.js";

export function warnAboutFlags(
  io: Output,
  opts: { url?: string; unknownEvents: string[]; policy: UrlPolicy },
): void {
  if (opts.unknownEvents.length > 0) {
    const suggestions = opts.unknownEvents.flatMap((name) => {
      const near = suggestEventNames(name, SUBSCRIBABLE_EVENTS);
      return near.length > 0 ? [`${name} → ${near.join(" or ")}`] : [];
    });
    io.warn(
      `Not in CertCentral's documented event list: ${opts.unknownEvents.join(", ")}. Sending anyway ` +
        `(known: ${SUBSCRIBABLE_EVENTS.join(", ")}; see \`certwh event-types\`).` +
        (suggestions.length > 0 ? ` Did you mean: ${suggestions.join("; ")}?` : ""),
    );
  }
  if (!opts.url) return;
  if (isSlackWebhookUrl(opts.url)) {
    io.info(
      "This is a Slack incoming-webhook URL: CertCentral posts Slack messages to its channel instead of JSON " +
        "events, so the verification token appears as a message there. Paste it when asked " +
        "(or run `certwh verify --token <token>`); `certwh listen` cannot receive events at a Slack URL.",
    );
  }
  const host = new URL(opts.url).hostname;
  if (isLoopbackHost(host) && !opts.policy.allowLoopbackHttp) {
    io.warn(
      `${host} is this computer: CertCentral cannot reach it. Use a public URL (or \`certwh listen\`).`,
    );
  }
}

/** X-WEBHOOK-KEY is the secret itself: over plain http to another machine anyone on the path can read it. */
export function warnIfCleartextKey(
  io: Pick<Output, "warn">,
  flag: string,
  url: string | URL,
  sendsKey: boolean,
): void {
  const u = typeof url === "string" ? new URL(url) : url;
  if (sendsKey && u.protocol === "http:" && !isLoopbackHost(u.hostname)) {
    io.warn(`${flag} ${u.origin} is plain http: X-WEBHOOK-KEY (the webhook secret) travels unencrypted.`);
  }
}
