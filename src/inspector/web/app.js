// The inspector's page script (an ES module; the CSP allows only scripts from this server). It asks which
// panes this server shows (GET /api/page), subscribes to /events (server-sent events) and hands each event
// to the pane that shows it; the sandbox console reads its own API.
import { consoleNotice, startConsole } from "./console.js";
import { resetDeliveries, showDelivery, startDeliveries } from "./deliveries.js";
import { byId, report } from "./dom.js";
import { resetSession, showDisconnected, showSession } from "./session.js";

const PANES = { session: "session", deliveries: "deliveries-pane", console: "console-pane" };

/**
 * What this server shows, and whether it keeps a deliveries store (deliveries_api; unless it says no, it
 * does): a server without /api/page is listen's inspector as it always was.
 */
async function pageLayout() {
  try {
    const res = await fetch("/api/page");
    if (res.ok) return await res.json();
  } catch {
    // keep the default
  }
  return { panes: ["session", "deliveries"], title: "certwh listen" };
}

function listen(withConsole) {
  const source = new EventSource("/events");
  // Every (re)connection starts with the whole history again.
  source.onopen = () => {
    resetSession();
    resetDeliveries();
  };
  source.onmessage = (m) => {
    try {
      const e = JSON.parse(m.data);
      if (!showSession(e)) showDelivery(e);
      if (withConsole) consoleNotice();
    } catch (err) {
      report(err);
    }
  };
  source.onerror = () => {
    if (source.readyState === EventSource.CLOSED) showDisconnected();
  };
}

async function start() {
  const page = await pageLayout();
  byId("title").textContent = page.title;
  document.title = `${page.title} · inspector`;
  for (const [pane, id] of Object.entries(PANES)) byId(id).hidden = !page.panes.includes(pane);
  const withConsole = page.panes.includes("console");
  if (withConsole) startConsole();
  if (page.panes.includes("session") || page.panes.includes("deliveries")) {
    startDeliveries(page.deliveries_api !== false);
    listen(withConsole);
  }
}

start();
