// The human wording of listen's stages (its `state` events, plus `ready`): a short title ("Challenge sent
// (attempt 1/3)") and the details that follow it. Plain data in, plain strings out: session.js renders them.
import { time } from "./dom.js";

/** m:ss from milliseconds (negative counts as 0). */
export function minutes(ms) {
  const s = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

const webhook = (e) => (e.webhook_id !== undefined ? `webhook ${e.webhook_id}` : "");

/** { title, details[] } for a state or ready event; unknown stages keep their own name. */
export function describeStage(e) {
  switch (e.stage) {
    case "receiver_started":
      return { title: "Receiver started", details: [e.local_url] };
    case "tunnel_starting":
      return {
        title: "Starting the tunnel",
        details: [e.tunnel, e.ip_allowlist ? `IP allowlist ${e.ip_allowlist.join(", ")}` : "no IP allowlist"],
      };
    case "tunnel_started":
      return { title: "Tunnel up", details: [e.public_url] };
    case "webhook_found":
      return {
        title: e.foreign ? "Webhook found (points elsewhere)" : "Webhook found",
        details: [webhook(e), e.status, e.endpoint],
      };
    case "webhook_created":
      return { title: "Webhook created", details: [webhook(e), `${(e.events || []).length} events`] };
    case "webhook_updated":
      return { title: "Webhook pointed here", details: [webhook(e), `was ${e.previous_endpoint}`] };
    case "testing":
      return { title: "Testing the endpoint", details: [e.endpoint] };
    case "tested":
      return { title: "Test event answered", details: [e.endpoint] };
    case "challenge_sent":
      return {
        title: `Challenge sent (attempt ${e.attempt}/${e.max_attempts})`,
        details: [`token valid until ${time(e.deadline)}`, e.endpoint],
      };
    case "waiting":
      return { title: "Waiting for the token", details: [`${minutes(e.time_left_ms)} left`] };
    case "token_expired":
      return { title: "Token expired", details: [e.resend ? "sending a new challenge" : "no attempt left"] };
    case "token_refused":
      return {
        title: "Token refused",
        details: [
          e.retry
            ? `${e.retry.attempts_left} more tries`
            : e.resend
              ? "sending a new challenge"
              : "no attempt left",
        ],
      };
    case "challenge_ignored":
      return { title: "Challenge ignored", details: [e.reason] };
    case "handshake_accepted":
      return { title: "Handshake accepted without the current key", details: [e.event, `key ${e.key}`] };
    // listen learns the token from the challenge delivery itself: verified means it arrived and was accepted.
    case "verified":
      return { title: "Token received · Verified", details: [webhook(e)] };
    case "activated":
      return { title: "Activated", details: [webhook(e), e.note] };
    case "reverifying":
      return { title: "Public URL changed: verifying again", details: [e.public_url] };
    case "reverified":
      return { title: "Verified again", details: [e.public_url] };
    case "stopping":
      return { title: "Stopping", details: [e.reason] };
    case "draining":
      return {
        title: "Finishing forwards",
        details: [`${e.forwards} in flight`, `waiting up to ${Math.round(e.wait_ms / 1000)} s`],
      };
    case "on_exit_started":
      return { title: `On exit: ${e.action}`, details: ["running"] };
    case "on_exit":
      return { title: `On exit: ${e.action}`, details: [e.outcome, e.message] };
    case "ready":
      return { title: "Listening", details: [e.public_url] };
    default:
      return { title: String(e.stage), details: [] };
  }
}
