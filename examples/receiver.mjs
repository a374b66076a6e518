// A production receiver for CertCentral webhooks built on certwh's library: it checks every delivery,
// answers 200 only once the event is stored, and completes the verification challenge by itself, so
// `certwh update-url --url https://hooks.example.com/digicert/hook` finishes unattended.
//   DIGICERT_WEBHOOK_SECRET  the webhook's secret (32+ characters)
//   DIGICERT_API_KEY, DIGICERT_WEBHOOK_ID  for the challenge; DIGICERT_BASE_URL (default: the US instance)
//   DIGICERT_PREVIOUS_WEBHOOK_SECRET  optional, while the webhook's secret is being changed
import { appendFile } from "node:fs/promises";
import { createWebhookApi } from "certwh";
import { createReceiver } from "certwh/receiver";

const {
  DIGICERT_WEBHOOK_SECRET: secret,
  DIGICERT_API_KEY: apiKey,
  DIGICERT_WEBHOOK_ID: webhookId,
} = process.env;
if (!secret || !apiKey || !webhookId) {
  throw new Error("Set DIGICERT_WEBHOOK_SECRET, DIGICERT_API_KEY and DIGICERT_WEBHOOK_ID.");
}

const receiver = createReceiver({
  path: "/digicert/hook",
  secret,
  // CertCentral does not document which key its test and challenge deliveries carry: accept those (never
  // events) without the key, or with the previous secret, small and of the handshake's shape only. The
  // completer bounds what forged tokens cost (a few check-challenge calls a minute at most).
  handshakeOpen: () => true,
  previousSecret: process.env.DIGICERT_PREVIOUS_WEBHOOK_SECRET || undefined,
  // Facing the internet directly? Recommended, so that only DigiCert can deliver at all (keyless handshakes
  // included): sourceAllowlist: [DIGICERT_SOURCE_RANGE] (216.168.240.0/20, from "certwh/receiver").
  onAccept: (d) => appendFile("events.ndjson", `${d.body}\n`), // awaited before the 200
  challenge: {
    api: createWebhookApi({
      baseUrl: process.env.DIGICERT_BASE_URL ?? "https://www.digicert.com/services/v2",
      apiKey,
      timeoutMs: 30_000,
      userAgent: "my-app",
    }),
    webhookId: Number(webhookId),
  },
});
receiver.on("accepted", ({ event }) => console.log("event", event.name)); // work outside the request
receiver.on("rejected", (r) => console.warn(`refused: ${r.status} ${r.reason}`));
receiver.on("challenge_result", ({ result }) => console.log("challenge", result.type));
const server = await receiver.listen({ port: Number(process.env.PORT ?? 8080) });
console.log("listening", server.url.href);
