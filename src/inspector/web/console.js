// The sandbox console pane (listen --sandbox, sandbox --ui): the in-process sandbox's webhook as CertCentral's
// console would show it, a button per event a webhook can subscribe to, and what the sandbox sent. The
// server calls the sandbox itself (GET /api/sandbox, POST /api/sandbox/trigger): no API key on this page.
import { byId, el, tableRow, text, time } from "./dom.js";

/** Besides refreshing on listen's events and after each action, the pane reads the state this often. */
const POLL_MS = 3000;
/** listen's events come in bursts (the history at connection): one read per burst. */
const SETTLE_MS = 150;

let latest = 0; // the number of the newest read: an older answer arriving late is dropped
let poll;
let settle;
const sending = new Set();

async function json(path, init) {
  const res = await fetch(path, init);
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(body.error || `HTTP ${res.status}`);
  return body;
}

function showResult(message, className, event) {
  const node = byId("console-result");
  node.textContent = message;
  node.className = className;
  node.dataset.event = event;
}

/** What the endpoint answered a delivery: its status, else why there was none. */
const answerOf = (d) => (d.status !== null ? String(d.status) : d.error || "no answer");

function settingsText(settings) {
  return Object.entries(settings || {})
    .map(([key, value]) => `${key}: ${Array.isArray(value) ? value.join(", ") : String(value)}`)
    .join("\n");
}

async function trigger(name) {
  sending.add(name);
  showResult(`Sending ${name}…`, "", name);
  render(undefined);
  try {
    const out = await json("/api/sandbox/trigger", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ event: name }),
    });
    if (!out.delivered) showResult(`${name} was not sent: ${out.reason}.`, "bad", name);
    else {
      const d = out.delivery;
      const took = d.duration_ms !== undefined ? ` in ${d.duration_ms} ms` : "";
      showResult(
        `${name} → ${d.url}: ${answerOf(d)} ${d.ok ? "ok" : "failed"}${took}`,
        d.ok ? "good" : "bad",
        name,
      );
    }
  } catch (err) {
    showResult(`${name} was not sent: ${err.message}`, "bad", name);
  } finally {
    sending.delete(name);
    await refreshConsole();
  }
}

/** One button per event type, made once (a refresh only enables or disables them, so a click is never lost). */
function buildButtons(types) {
  const box = byId("console-triggers");
  if (box.childElementCount > 0) return;
  for (const type of types) {
    const button = el("button", "", type.name);
    button.type = "button";
    button.dataset.event = type.name;
    button.dataset.description =
      type.description + (type.guessed_payload ? " (payload guessed by certwh)" : "");
    button.title = button.dataset.description;
    button.addEventListener("click", () => trigger(type.name));
    box.appendChild(button);
  }
}

let shown; // the last state read, kept to re-render while a trigger is sent

function showWebhook(hook) {
  byId("console-webhook").hidden = !hook;
  if (!hook) {
    text(
      "console-note",
      "No webhook yet: create one against this sandbox (e.g. certwh listen or certwh create).",
    );
    return;
  }
  text("console-note", "");
  text("console-webhook-id", String(hook.id));
  text("console-endpoint", hook.endpoint);
  const status = byId("console-status");
  status.textContent =
    hook.status + (hook.open_tokens ? ` · ${hook.open_tokens} challenge token(s) open` : "");
  status.className = hook.status === "active" ? "good" : "bad";
  text("console-events", hook.events.join(", ") || "none");
  text("console-settings", settingsText(hook.settings));
}

function showButtons(hook) {
  const active = Boolean(hook && hook.status === "active");
  byId("console-triggers").hidden = !active;
  text("console-trigger-note", active ? "" : "Events can be sent once the webhook is active.");
  for (const button of byId("console-triggers").children) {
    const name = button.dataset.event;
    const subscribed = active && hook.events.includes(name);
    button.disabled = !subscribed || sending.has(name);
    button.title =
      active && !subscribed ? `The webhook is not subscribed to ${name}.` : button.dataset.description;
  }
}

function showDeliveries(list) {
  const rows = (list || []).map((d) => {
    const answer = `${answerOf(d)}${d.ok ? " ok" : " failed"}`;
    return tableRow(d.ok ? "" : "rejected", [time(d.sent_at), d.kind, d.event, answer]);
  });
  byId("console-deliveries").tBodies[0].replaceChildren(...rows);
}

function render(state) {
  if (state) shown = state;
  if (!shown) return;
  buildButtons(shown.event_types || []);
  showWebhook(shown.webhook);
  showButtons(shown.webhook);
  showDeliveries(shown.deliveries);
}

/** Reads the sandbox's state now and shows it. */
async function refreshConsole() {
  const mine = ++latest;
  try {
    const state = await json("/api/sandbox");
    if (mine === latest) render(state);
  } catch (err) {
    if (mine !== latest) return;
    // The server is gone (listen or sandbox stopped): stop asking; an event from listen starts again.
    clearInterval(poll);
    poll = undefined;
    text("console-note", `The sandbox cannot be read: ${err.message}`);
  }
}

/** A listen event arrived: read the state once the burst is over. */
export function consoleNotice() {
  clearTimeout(settle);
  settle = setTimeout(() => {
    if (!poll) poll = setInterval(readIfVisible, POLL_MS);
    refreshConsole();
  }, SETTLE_MS);
}

function readIfVisible() {
  if (!document.hidden) refreshConsole();
}

export function startConsole() {
  refreshConsole();
  poll = setInterval(readIfVisible, POLL_MS);
}
