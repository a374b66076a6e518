// The session pane: the webhook, its public URL and status, and the stages listen went through.
import { byId, el } from "./dom.js";

function stageText(e) {
  const extra = [];
  if (e.webhook_id !== undefined) extra.push(`webhook ${e.webhook_id}`);
  if (e.public_url) extra.push(e.public_url);
  if (e.endpoint) extra.push(e.endpoint);
  if (e.attempt !== undefined) extra.push(`attempt ${e.attempt}/${e.max_attempts}`);
  if (e.outcome) extra.push(`${e.action}: ${e.outcome}`);
  if (e.reason) extra.push(String(e.reason));
  return e.stage + (extra.length ? ` — ${extra.join(" · ")}` : "");
}

const setStatus = (text) => {
  byId("status").textContent = text;
};

export function resetSession() {
  byId("stages").replaceChildren();
}

/** Shows one listen event if it concerns the session; returns whether it did. */
export function showSession(e) {
  switch (e.type) {
    case "state":
      byId("stages").appendChild(el("li", "", stageText(e)));
      if (e.webhook_id !== undefined) byId("webhook-id").textContent = String(e.webhook_id);
      if (e.stage === "stopping") setStatus("stopping");
      return true;
    case "ready":
      byId("webhook-id").textContent = String(e.webhook_id);
      byId("public-url").textContent = e.public_url;
      setStatus(`${e.status} · listening`);
      byId("stages").appendChild(el("li", "", "ready"));
      return true;
    case "tunnel_down":
      setStatus("tunnel down");
      return true;
    case "tunnel_up":
      setStatus("active · listening");
      if (e.public_url) byId("public-url").textContent = e.public_url;
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
