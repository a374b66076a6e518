// The session pane: the webhook and its verification as it happens (the stages in human words, the open
// challenge's countdown), the ready block (public URL, protections, forward targets, journal, on-exit action)
// and the status as the tunnel drops and returns and listen stops.
import { startCountdown, stopCountdown } from "./countdown.js";
import { byId, el, text, time } from "./dom.js";
import { describeStage } from "./stages.js";

const setStatus = (value) => text("status", value);

/** One list item per stage: data-stage holds listen's name for it, the text is the human wording. */
function addStage(e) {
  const { title, details } = describeStage(e);
  const li = el("li");
  li.dataset.stage = String(e.stage);
  li.appendChild(el("span", "stage-title", title));
  const shown = details.filter((d) => d !== undefined && d !== null && d !== "");
  if (shown.length) li.appendChild(el("span", "stage-details", ` — ${shown.join(" · ")}`));
  byId("stages").appendChild(li);
}

function protections(p) {
  if (!p) return "–";
  return [
    p.key_check ? "X-WEBHOOK-KEY checked" : "no key check",
    p.ip_allowlist ? `IP allowlist ${p.ip_allowlist.join(", ")}` : "no IP allowlist",
    `source check: ${p.source_check}`,
  ].join(" · ");
}

function showReady(e) {
  text("webhook-id", String(e.webhook_id));
  text("public-url", e.public_url);
  setStatus(`${e.status} · listening`);
  text("protections", protections(e.protections));
  const targets = e.forward_targets || (e.forward_to ? [e.forward_to] : []);
  text("forward-targets", targets.length ? targets.join("\n") : "none (events are only shown)");
  text("journal", e.journal || "off (--no-journal)");
  text("on-exit", e.on_exit);
}

/** What a stage changes: the status, the fields, and the challenge (its countdown runs while a token is open). */
function followState(e) {
  if (e.webhook_id !== undefined) text("webhook-id", String(e.webhook_id));
  const node = byId("challenge");
  switch (e.stage) {
    case "tunnel_starting":
      setStatus("starting the tunnel…");
      break;
    case "tunnel_started":
      text("public-url", e.public_url);
      break;
    case "challenge_sent":
      startCountdown(node, e.deadline, `attempt ${e.attempt}/${e.max_attempts}`);
      setStatus("verifying…");
      break;
    case "verified":
      stopCountdown(node, "Verified: the token arrived in time", "verified");
      break;
    case "token_expired":
      stopCountdown(node, `Expired${e.resend ? ": sending a new challenge" : ""}`, "expired");
      break;
    case "token_refused":
      // With retries left the same token is asked for again, so the same countdown goes on.
      if (!e.retry) stopCountdown(node, `Refused${e.resend ? ": sending a new challenge" : ""}`, "refused");
      break;
    case "activated":
      setStatus("active");
      break;
    case "reverifying":
      text("public-url", e.public_url);
      setStatus("public URL changed · verifying again…");
      break;
    case "reverified":
      setStatus("active · listening");
      break;
    case "stopping":
      if (node.dataset.state === "open") stopCountdown(node, "Not verified: listen stopped", "stopped");
      setStatus(`stopping (${e.reason})`);
      break;
    case "on_exit": {
      setStatus("stopped");
      const onExit = byId("on-exit");
      onExit.textContent = `${e.action}: ${e.outcome} — ${e.message}`;
      onExit.className = e.outcome === "failed" ? "bad" : e.outcome === "done" ? "good" : "";
      break;
    }
    default:
  }
}

export function resetSession() {
  byId("stages").replaceChildren();
  stopCountdown(byId("challenge"), "–", "none");
}

/** Shows one listen event if it concerns the session; returns whether it did. */
export function showSession(e) {
  switch (e.type) {
    case "state":
      addStage(e);
      followState(e);
      return true;
    case "ready":
      showReady(e);
      addStage({ ...e, stage: "ready" });
      return true;
    case "tunnel_down":
      setStatus(`tunnel down since ${time(e.at)} · waiting up to ${Math.round(e.grace_ms / 1000)} s for it`);
      return true;
    case "tunnel_up":
      setStatus("active · listening");
      if (e.public_url) text("public-url", e.public_url);
      return true;
    case "interrupted":
    case "until":
      setStatus("stopped");
      return true;
    default:
      return false;
  }
}

export function showDisconnected() {
  setStatus("disconnected");
}
