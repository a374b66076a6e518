// The rows of a server that keeps no deliveries store (an inspector started without the deliveries API, as
// some tests do): made in the page from listen's events on /events, like the server's store makes them
// (src/inspector/deliveries-store.ts), without details. Bounded like the store.

const LIMIT = 20_000;

function idsOf(data) {
  const ids = {};
  if (!data || typeof data !== "object") return ids;
  for (const name of ["order_id", "certificate_id"]) {
    const v = data[name];
    if (typeof v === "string" || typeof v === "number") ids[name] = v;
  }
  return ids;
}

/** Rows kept in `byKey` (key → summary) and `order` (keys, oldest first), both owned by the caller. */
export function createEventRows(byKey, order) {
  let seq = 0;
  let refused = 0;
  const latest = new Map(); // journal id → key of its latest row

  function add(row) {
    const key = `e${++seq}`;
    byKey.set(key, { ...row, key, forwards: [] }); // no `detail` flag: this server never had details
    order.push(key);
    latest.set(row.id, key);
    while (order.length > LIMIT) byKey.delete(order.shift());
    return key;
  }

  function forward(e) {
    const row = byKey.get(latest.get(e.id));
    if (!row) return;
    const result = { url: e.url, ok: e.ok, ms: e.ms, attempt: e.attempt, final: e.final };
    if (e.status !== undefined) result.status = e.status;
    if (e.error !== undefined) result.error = e.error;
    const at = row.forwards.findIndex((f) => f.url === e.url);
    if (at >= 0) row.forwards[at] = result;
    else row.forwards.push(result);
  }

  return {
    /** Applies one listen event; returns the new row's key when it made one. */
    apply(e) {
      const base = { received_at: e.received_at, status: 200 };
      switch (e.type) {
        case "event":
          return add({
            ...base,
            id: e.id,
            event: e.event,
            ...idsOf(e.data),
            answer: e.repeat ? "repeat" : "accepted",
          });
        case "duplicate":
          return add({ ...base, id: e.id, event: e.event, answer: "repeat", reason: "not passed on" });
        case "rejected":
          return add({
            ...base,
            id: `refused-${++refused}`,
            event: "",
            answer: "refused",
            status: e.status,
            reason: e.detail ? `${e.reason} (${e.detail})` : e.reason,
          });
        case "forward":
          forward(e);
          return undefined;
        default:
          return undefined;
      }
    },
    reset() {
      latest.clear();
    },
  };
}

/** The set of keys of the rows whose event, ids or answer contain `q` (any case): the page's own search here. */
export function searchRows(byKey, q) {
  const needle = q.toLowerCase();
  const keys = new Set();
  for (const [key, s] of byKey) {
    const words = [s.event, s.id, s.order_id, s.certificate_id, s.reason].join(" ").toLowerCase();
    if (words.includes(needle)) keys.add(key);
  }
  return keys;
}
