// The deliveries pane. The server's store is the truth: the page asks GET /api/deliveries for the rows that
// changed since the revision it has, whenever /events says something about a delivery (many events in a
// burst make one or two requests). Full payloads never travel with the list; a row's detail is fetched when
// it is opened. Rows are oldest first, so the newest is at the bottom, where the view stays while it is there.
// An inspector started without the deliveries API (GET /api/page says so, app.js passes it on) gets its rows
// from /events instead (event-rows.js).
//
// DOM contract (other tests rely on it): #deliveries holds the rows; each has data-id (journal id, or
// refused-<n>) and data-event; #delivery-count is the number of deliveries the page knows; body's
// data-loaded is "true" once the first sync is shown.
import { replay } from "./actions.js";
import { showDetail } from "./detail.js";
import { byId, el, report, time } from "./dom.js";
import { createEventRows, searchRows } from "./event-rows.js";
import { createVirtualList } from "./list.js";

const byKey = new Map(); // key → summary
const order = []; // keys, oldest first (one array for the page's life: the event rows hold it)
let rev = 0;
let targets = [];
let syncing = false;
let again = false;
let current; // the key whose detail is open
const selected = new Set(); // keys ticked for replay
/** Keys matching the text search (from the server, which searches bodies too); null when no search. */
let textMatches = null;
let list;
/** Whether rows come from the server's store (GET /api/deliveries), or from /events (a server without it). */
let fromStore;
let eventRows;
const LOADED_IDLE_MS = 200; // "events": the history is taken as shown once no delivery came for this long
let loadedTimer;
let renderQueued = false;
let shown = []; // the summaries that pass the filters, oldest first
let lastPicked; // the key last ticked (shift-click ticks the range from it)

const DETAIL_GONE = "detail no longer in memory; see the journal";

const failedForward = (s) => s.forwards.some((f) => f.final && !f.ok);

function answerText(s) {
  // Status 0: the sender went away mid-body, nothing was answered.
  if (s.answer === "refused" && s.status === 0) return `not answered, ${s.reason || "aborted"}`;
  if (s.answer === "refused") return `${s.status} ${s.reason || "refused"}`;
  if (s.answer === "repeat") return `${s.status} repeat${s.reason ? `, ${s.reason}` : ""}`;
  return `${s.status} accepted`;
}

function forwardText(s) {
  return s.forwards
    .map((f) => {
      const what = f.ok ? "ok" : f.status !== undefined ? String(f.status) : String(f.error || "failed");
      return `${what} (attempt ${f.attempt}, ${f.ms} ms)${f.final || f.ok ? "" : " retrying"}`;
    })
    .join(" · ");
}

function idsText(s) {
  const parts = [];
  if (s.order_id !== undefined) parts.push(`order ${s.order_id}`);
  if (s.certificate_id !== undefined) parts.push(`cert ${s.certificate_id}`);
  return parts.join(" · ");
}

function renderRow(s) {
  const gone = s.answer !== "refused" && s.detail === false;
  const row = el("div", `drow ${s.answer}${gone ? " gone" : ""}`);
  if (failedForward(s)) row.classList.add("forward-failed");
  if (s.key === current) row.classList.add("current");
  row.dataset.id = s.id;
  row.dataset.event = s.event;
  row.dataset.key = s.key;
  const box = el("input", "c-pick");
  box.type = "checkbox";
  box.title = "select for replay";
  box.checked = selected.has(s.key);
  box.disabled = s.answer === "refused"; // nothing was kept to send again
  box.addEventListener("click", (ev) => {
    ev.stopPropagation();
    pick(s.key, box.checked, ev.shiftKey);
  });
  row.append(
    box,
    el("span", "c-time", time(s.received_at)),
    el("span", "c-event", s.event || "–"),
    el("span", "c-ids", idsText(s)),
    el("span", "c-answer", answerText(s)),
    el(
      "span",
      `c-forward ${failedForward(s) ? "bad" : s.forwards.length ? "good" : ""}`,
      [forwardText(s), gone ? DETAIL_GONE : ""].filter(Boolean).join(" · "),
    ),
  );
  row.addEventListener("click", () => open(s.key));
  return row;
}

/** Ticks or unticks one row for replay (a refused one kept nothing to send again). */
function tick(s, on) {
  if (s.answer === "refused") return;
  if (on) selected.add(s.key);
  else selected.delete(s.key);
}

/** Ticks or unticks a row; with shift, every shown row from the last one ticked to this one. */
function pick(key, on, range) {
  const from = range && lastPicked !== undefined ? shown.findIndex((x) => x.key === lastPicked) : -1;
  const to = shown.findIndex((x) => x.key === key);
  const [a, b] = from >= 0 && to >= 0 ? [Math.min(from, to), Math.max(from, to)] : [to, to];
  for (let i = Math.max(a, 0); i <= b; i++) tick(shown[i], on);
  lastPicked = key;
  showSelection();
  if (range) list.refresh();
}

/** Ticks every shown row that can be replayed (or unticks them all). */
function pickShown(on) {
  for (const s of shown) tick(s, on);
  showSelection();
  list.refresh();
}

function open(key) {
  current = key;
  list.refresh();
  const s = byKey.get(key);
  if (s) showDetail(s, targets);
}

function matches(s, eventFilter, statusFilter) {
  if (eventFilter && s.event !== eventFilter) return false;
  if (statusFilter === "forward-failed") {
    if (!failedForward(s)) return false;
  } else if (statusFilter && s.answer !== statusFilter) return false;
  return textMatches === null || textMatches.has(s.key);
}

/** The rows shown: every known one that passes the filters, oldest first. */
function applyFilters() {
  const eventFilter = byId("filter-event").value;
  const statusFilter = byId("filter-status").value;
  shown = [];
  for (const key of order) {
    const s = byKey.get(key);
    if (matches(s, eventFilter, statusFilter)) shown.push(s);
  }
  list.setItems(shown);
  byId("delivery-count").textContent = String(byKey.size);
  byId("delivery-shown").textContent = shown.length === byKey.size ? "" : `${shown.length} shown`;
}

const knownEvents = new Set();
function noteEvent(name) {
  if (!name || knownEvents.has(name)) return;
  knownEvents.add(name);
  const select = byId("filter-event");
  const chosen = select.value;
  select.replaceChildren(
    select.options[0],
    ...[...knownEvents].sort().map((v) => Object.assign(el("option", "", v), { value: v })),
  );
  select.value = chosen;
}

function showSelection() {
  byId("selected-count").textContent = String(selected.size);
}

function clearSelection() {
  selected.clear();
  byId("pick-shown").checked = false;
  showSelection();
  list.refresh();
}

async function sync() {
  if (syncing) {
    again = true;
    return;
  }
  syncing = true;
  try {
    do {
      again = false;
      const answer = await fetch(`/api/deliveries?since=${rev}`);
      if (!answer.ok) throw new Error(`/api/deliveries answered ${answer.status}`);
      const page = await answer.json();
      merge(page);
      if (textMatches !== null) await searchText();
      applyFilters();
      document.body.dataset.loaded = "true";
    } while (again);
  } finally {
    syncing = false;
  }
}

/** One render per frame however many events arrive; "loaded" once they pause. */
function queueRender() {
  clearTimeout(loadedTimer);
  loadedTimer = setTimeout(() => {
    document.body.dataset.loaded = "true";
  }, LOADED_IDLE_MS);
  if (renderQueued) return;
  renderQueued = true;
  requestAnimationFrame(() => {
    renderQueued = false;
    for (const key of order) noteEvent(byKey.get(key)?.event);
    const q = byId("filter-text").value.trim();
    if (q) textMatches = searchRows(byKey, q);
    applyFilters();
  });
}

function merge(page) {
  rev = page.rev;
  targets = page.targets || [];
  // certwh inspect: a journal alone, no live session to report on.
  if (page.journal) {
    byId("delivery-source").textContent = `From the journal ${page.journal} (the session has ended).`;
    byId("delivery-source").hidden = false;
  }
  let added = false;
  for (const s of page.deliveries) {
    if (!byKey.has(s.key)) added = true;
    byKey.set(s.key, s);
    noteEvent(s.event);
  }
  // The server drops its oldest rows past its bound: so does the page.
  if (added || byKey.size > page.total) {
    const sorted = [...byKey.keys()].sort((a, b) => Number(a) - Number(b));
    order.length = 0;
    for (const key of sorted) order.push(key);
    while (order.length > page.total) byKey.delete(order.shift());
  }
  if (current !== undefined && byKey.has(current) && page.deliveries.some((s) => s.key === current))
    showDetail(byKey.get(current), targets, { quiet: true });
}

let searched = { q: "", rev: 0 }; // the query textMatches answers, and the revision it covers

/**
 * Brings textMatches up to date: a new query asks about every row, the same query only about the rows
 * changed since (a body never changes, so a row that matched still does).
 */
async function searchText() {
  const q = byId("filter-text").value.trim();
  if (!q) {
    textMatches = null;
    searched = { q: "", rev: 0 };
    return;
  }
  if (!fromStore) {
    textMatches = searchRows(byKey, q);
    return;
  }
  const fresh = q !== searched.q;
  const since = fresh ? 0 : searched.rev;
  const asked = rev;
  const answer = await fetch(`/api/search?q=${encodeURIComponent(q)}&since=${since}`);
  const found = answer.ok ? await answer.json() : { keys: [] };
  if (fresh || textMatches === null) textMatches = new Set(found.keys);
  else for (const key of found.keys) textMatches.add(key);
  searched = { q, rev: asked };
}

let searchTimer;
function onSearchInput() {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(() => {
    searchText().then(applyFilters).catch(report);
  }, 150);
}

/** Sets the pane up, before /events first connects; `store` is whether the server keeps a deliveries store. */
export function startDeliveries(store) {
  fromStore = store;
  list = createVirtualList(byId("deliveries"), renderRow);
  eventRows = createEventRows(byKey, order);
  byId("filter-event").addEventListener("change", applyFilters);
  byId("filter-status").addEventListener("change", applyFilters);
  byId("filter-text").addEventListener("input", onSearchInput);
  byId("pick-shown").addEventListener("change", (ev) => pickShown(ev.target.checked));
  byId("replay-selected").addEventListener("click", () =>
    replay([...selected].map((k) => byKey.get(k)?.id).filter(Boolean)),
  );
  byId("clear-selection").addEventListener("click", clearSelection);
}

function requestSync() {
  sync().catch(report);
}

/** A new connection to /events: the store is read again from the start. */
export function resetDeliveries() {
  byKey.clear();
  order.length = 0; // the same array: the event rows hold it
  rev = 0;
  searched = { q: "", rev: 0 };
  eventRows.reset();
  if (fromStore) requestSync();
  else queueRender();
}

/** Takes one listen event if it is about a delivery (the row comes from the store); returns whether it was. */
export function showDelivery(e) {
  switch (e.type) {
    case "event":
    case "duplicate":
    case "rejected":
    case "forward":
      if (fromStore) requestSync();
      else {
        eventRows.apply(e);
        queueRender();
      }
      return true;
    default:
      return false;
  }
}
