// The detail pane of one delivery: its headers (the key only as present/absent), the body as formatted JSON
// and raw, and a certificate_issued chain as the server decoded it. Opened by a click on a row.
import { curlCommand, replay } from "./actions.js";
import { byId, el, tableRow, text, time } from "./dom.js";

let shownKey;
let loading = 0; // the latest request: an older answer arriving late is ignored

function fill(id, nodes) {
  byId(id).replaceChildren(...nodes);
}

function yesNo(value) {
  return value === null || value === undefined ? "–" : value ? "yes" : "no";
}

function showChain(chain) {
  byId("detail-chain-pane").hidden = !chain;
  if (!chain) return fill("detail-chain", []);
  fill(
    "detail-chain",
    chain.map((c) =>
      c.error
        ? tableRow("bad", [c.index, c.subject_common_name || "", `cannot decode: ${c.error}`, "", "", "", ""])
        : tableRow("", [
            c.index,
            c.subject,
            c.issuer,
            c.valid_from,
            c.valid_to,
            c.fingerprint256,
            c.signed_by_next === null ? (c.self_signed ? "self-signed" : "last") : yesNo(c.signed_by_next),
          ]),
    ),
  );
}

function summaryLines(s) {
  const lines = [`${s.event || "(no event)"} · received ${time(s.received_at)} · id ${s.id}`];
  lines.push(`receiver: ${s.status} ${s.answer}${s.reason ? ` (${s.reason})` : ""}`);
  for (const f of s.forwards)
    lines.push(
      `forward ${f.url}: ${f.ok ? "ok" : (f.status ?? f.error ?? "failed")} (attempt ${f.attempt}, ${f.ms} ms)` +
        (f.response_body ? ` — ${f.response_body}` : ""),
    );
  return lines.map((line) => el("li", "", line));
}

/** Shows a delivery's headers, chain and body; without one (`d` undefined), only the note says why. */
function showBody(d, note = "") {
  text("detail-note", note);
  const headers = (d?.headers ?? []).flatMap((h) => [el("dt", "", h.name), el("dd", "", h.value)]);
  fill("detail-headers", headers);
  showChain(d?.chain);
  text("detail-json", !d ? "" : d.json === null ? "(the body is not JSON)" : JSON.stringify(d.json, null, 2));
  text("detail-raw", d?.body ?? "");
}

/** Shows a row's detail; `quiet` refreshes the summary of the one already shown without a new fetch. */
export async function showDetail(s, targets, { quiet = false } = {}) {
  byId("detail").hidden = false;
  fill("detail-summary", summaryLines(s));
  if (quiet && shownKey === s.key) return;
  shownKey = s.key;
  text("detail-curl", "");
  const mine = ++loading;
  text("detail-title", `${s.event || "refused request"} ${s.id}`);
  byId("detail-actions").hidden = s.answer === "refused";
  if (s.answer === "refused") return showBody(undefined, "A refused request: its body was not kept.");
  text("detail-note", "loading…");
  let d;
  let ok = false;
  try {
    // The row's key picks this delivery's headers: a repeated body shares its id with the earlier ones.
    const answer = await fetch(
      `/api/deliveries/${encodeURIComponent(s.id)}?key=${encodeURIComponent(s.key)}`,
    );
    ok = answer.ok;
    // A server without the deliveries API answers in plain text.
    d = await answer.json().catch(() => ({ error: "This server keeps no delivery details." }));
    if (!ok) d.error ||= `error ${answer.status}`;
  } catch (err) {
    // The server is gone or the connection failed: say so instead of staying on "loading…".
    d = { error: `The delivery could not be loaded: ${err.message}` };
  }
  if (mine !== loading) return;
  if (!ok) {
    byId("detail-actions").hidden = true;
    return showBody(undefined, d.error);
  }
  showBody(d);
  byId("detail-replay").onclick = () => replay([d.id]);
  byId("detail-curl-button").onclick = () => {
    const command = curlCommand(d, byId("replay-to").value.trim() || targets[0]);
    text("detail-curl", command);
    navigator.clipboard?.writeText(command).catch(() => undefined); // shown anyway, to copy by hand
  };
}
