// The inspector's page script (an ES module; the CSP allows only scripts from this server). It subscribes to
// /events (server-sent events) and hands each event to the pane that shows it.
import { resetDeliveries, showDelivery } from "./deliveries.js";
import { resetSession, showDisconnected, showSession } from "./session.js";

function start() {
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
    } catch (err) {
      // biome-ignore lint/suspicious/noConsole: the browser's console is where a page reports its own faults
      console.error(err);
    }
  };
  source.onerror = () => {
    if (source.readyState === EventSource.CLOSED) showDisconnected();
  };
}

start();
