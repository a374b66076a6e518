// The deliveries pane: one row per request the receiver answered, and each forward target's result.
import { byId, el, time } from "./dom.js";

const rows = new Map();

// What tests and benchmarks read (kept by any rewrite of this pane): rows carry data-id and data-event,
// #delivery-count holds the number of rows, and body[data-loaded] is "true" once the history is shown. The
// history comes first on /events, in one burst: it is taken as shown when no delivery came for LOADED_IDLE_MS.
const LOADED_IDLE_MS = 200;
let loadedTimer;

function historyMaybeDone() {
  if (document.body.dataset.loaded === "true") return;
  clearTimeout(loadedTimer);
  loadedTimer = setTimeout(() => {
    document.body.dataset.loaded = "true";
  }, LOADED_IDLE_MS);
}

function showCount() {
  byId("delivery-count").textContent = String(byId("deliveries").tBodies[0].rows.length);
}

function ids(data) {
  if (!data || typeof data !== "object") return "";
  const parts = [];
  if (data.order_id !== undefined) parts.push(`order ${data.order_id}`);
  if (data.certificate_id !== undefined) parts.push(`cert ${data.certificate_id}`);
  return parts.join(" · ");
}

function addRow(e, answer, className) {
  const tr = el("tr", className);
  tr.dataset.id = e.id || "";
  tr.dataset.event = e.event || "";
  for (const text of [time(e.received_at), e.event || "", ids(e.data), answer, ""])
    tr.appendChild(el("td", "", text));
  byId("deliveries").tBodies[0].appendChild(tr);
  if (e.id) rows.set(e.id, tr);
  showCount();
  historyMaybeDone();
}

function showForward(e) {
  const tr = rows.get(e.id);
  if (!tr) return;
  const what = e.ok ? "ok" : e.status !== undefined ? String(e.status) : String(e.error || "failed");
  const td = tr.cells[4];
  td.textContent = `${what} (attempt ${e.attempt}, ${e.ms} ms)${e.final || e.ok ? "" : " retrying"}`;
  td.className = e.ok ? "good" : "bad";
}

export function resetDeliveries() {
  rows.clear();
  byId("deliveries").tBodies[0].replaceChildren();
  showCount();
  historyMaybeDone();
}

/** Shows one listen event if it is about a delivery; returns whether it was. */
export function showDelivery(e) {
  switch (e.type) {
    case "event":
      addRow(e, "200 accepted", e.repeat ? "repeat" : "");
      return true;
    case "duplicate":
      addRow(e, "200 repeat, not passed on", "repeat");
      return true;
    case "rejected":
      addRow(e, `${e.status} ${e.reason}${e.detail ? ` (${e.detail})` : ""}`, "rejected");
      return true;
    case "forward":
      showForward(e);
      return true;
    default:
      return false;
  }
}
