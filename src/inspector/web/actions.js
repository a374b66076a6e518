// What the user can do with deliveries: replay them (POST /api/replay: the server sends each journaled body,
// with the webhook key it alone holds, to the forward targets or to the URL typed in #replay-to) and copy
// one as a curl command (the key as the $CERTWH_WEBHOOK_SECRET placeholder). The journal download is a plain
// link to /api/journal.
import { byId, el } from "./dom.js";

/** One word for a POSIX shell: single-quoted, each ' written as '\'' (nothing inside is expanded). */
const shellQuote = (text) => `'${String(text).replaceAll("'", "'\\''")}'`;

export function curlCommand(d, url) {
  const lines = [`curl -sS -X POST ${url ? shellQuote(url) : '"$CERTWH_URL"'}`];
  for (const h of d.headers) {
    if (h.name === "X-WEBHOOK-KEY") lines.push(`-H "X-WEBHOOK-KEY: $CERTWH_WEBHOOK_SECRET"`);
    else lines.push(`-H ${shellQuote(`${h.name}: ${h.value}`)}`);
  }
  lines.push(`--data-binary ${shellQuote(d.body)}`);
  return lines.join(" \\\n  ");
}

function resultLine(r) {
  const what = r.error ? r.error : `${r.status}${r.ok ? " ok" : ""}`;
  const li = el("li", r.ok ? "good" : "bad", `${r.id} → ${r.url || "–"}: ${what} (${r.ms} ms)`);
  li.dataset.id = r.id;
  if (r.response_body) li.appendChild(el("pre", "", r.response_body));
  return li;
}

/**
 * Replays these journal ids; the answer (one result per id and target) is listed in #replay-results, and so
 * is a request that failed (it never rejects: both Replay buttons call it from a click).
 */
export async function replay(ids) {
  const out = byId("replay-results");
  if (ids.length === 0) {
    out.replaceChildren(el("li", "bad", "Nothing selected: tick the rows to replay."));
    return;
  }
  const to = byId("replay-to").value.trim();
  // The key goes to a typed URL of another origin than the forward targets only when asked for.
  const withKey = byId("replay-with-key").checked;
  out.replaceChildren(el("li", "", `replaying ${ids.length}…`));
  try {
    const answer = await fetch("/api/replay", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(to ? { ids, to, ...(withKey ? { with_key: true } : {}) } : { ids }),
    });
    const body = await answer.json().catch(() => ({ error: `error ${answer.status}` }));
    if (!answer.ok) {
      out.replaceChildren(el("li", "bad", body.error || `error ${answer.status}`));
      return;
    }
    out.replaceChildren(...body.results.map(resultLine));
    if (to && body.key_sent === false && !withKey)
      out.appendChild(
        el(
          "li",
          "",
          "X-WEBHOOK-KEY was not sent: that URL is not a forward target's. Tick “with the key” to send it.",
        ),
      );
  } catch (err) {
    out.replaceChildren(el("li", "bad", `Replay failed: ${err.message}`));
  }
}
