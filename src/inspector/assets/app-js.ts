// The inspector's script (served as /app.js). Plain DOM: every value from an event is set with textContent,
// never parsed as HTML, so a payload holding markup shows as text.

export const APP_JS = `"use strict";
(function () {
  var byId = function (id) { return document.getElementById(id); };
  var rows = new Map();

  function cell(row, text, className) {
    var td = document.createElement("td");
    td.textContent = text === undefined || text === null ? "" : String(text);
    if (className) td.className = className;
    row.appendChild(td);
    return td;
  }

  function time(iso) {
    var d = new Date(iso);
    return isNaN(d.getTime()) ? String(iso || "") : d.toLocaleTimeString();
  }

  function ids(data) {
    if (!data || typeof data !== "object") return "";
    var parts = [];
    if (data.order_id !== undefined) parts.push("order " + data.order_id);
    if (data.certificate_id !== undefined) parts.push("cert " + data.certificate_id);
    return parts.join(" · ");
  }

  function stage(text) {
    var li = document.createElement("li");
    li.textContent = text;
    byId("stages").appendChild(li);
  }

  function stageText(e) {
    var extra = [];
    if (e.webhook_id !== undefined) extra.push("webhook " + e.webhook_id);
    if (e.public_url) extra.push(e.public_url);
    if (e.endpoint) extra.push(e.endpoint);
    if (e.attempt !== undefined) extra.push("attempt " + e.attempt + "/" + e.max_attempts);
    if (e.outcome) extra.push(e.action + ": " + e.outcome);
    if (e.reason) extra.push(String(e.reason));
    return e.stage + (extra.length ? " — " + extra.join(" · ") : "");
  }

  function delivery(e, answer, className) {
    var tr = document.createElement("tr");
    if (className) tr.className = className;
    cell(tr, time(e.received_at));
    cell(tr, e.event || "");
    cell(tr, ids(e.data));
    cell(tr, answer);
    cell(tr, "");
    byId("deliveries").tBodies[0].appendChild(tr);
    if (e.id) rows.set(e.id, tr);
  }

  function forward(e) {
    var tr = rows.get(e.id);
    if (!tr) return;
    var what = e.ok ? "ok" : e.status !== undefined ? String(e.status) : String(e.error || "failed");
    var td = tr.cells[4];
    td.textContent = what + " (attempt " + e.attempt + ", " + e.ms + " ms)" + (e.final || e.ok ? "" : " retrying");
    td.className = e.ok ? "good" : "bad";
  }

  function show(e) {
    switch (e.type) {
      case "state":
        stage(stageText(e));
        if (e.webhook_id !== undefined) byId("webhook-id").textContent = String(e.webhook_id);
        if (e.stage === "stopping") byId("status").textContent = "stopping";
        break;
      case "ready":
        byId("webhook-id").textContent = String(e.webhook_id);
        byId("public-url").textContent = e.public_url;
        byId("status").textContent = e.status + " · listening";
        stage("ready");
        break;
      case "event":
        delivery(e, "200 accepted", e.repeat ? "repeat" : "");
        break;
      case "duplicate":
        delivery(e, "200 repeat, not passed on", "repeat");
        break;
      case "rejected":
        delivery(e, e.status + " " + e.reason + (e.detail ? " (" + e.detail + ")" : ""), "rejected");
        break;
      case "forward":
        forward(e);
        break;
      case "tunnel_down":
        byId("status").textContent = "tunnel down";
        break;
      case "tunnel_up":
        byId("status").textContent = "active · listening";
        if (e.public_url) byId("public-url").textContent = e.public_url;
        break;
      case "interrupted":
      case "until":
        byId("status").textContent = "stopped";
        break;
    }
  }

  function start() {
    var source = new EventSource("/events");
    // Every (re)connection starts with the whole history again.
    source.onopen = function () {
      rows.clear();
      byId("stages").replaceChildren();
      byId("deliveries").tBodies[0].replaceChildren();
    };
    source.onmessage = function (m) {
      try { show(JSON.parse(m.data)); } catch (err) { console.error(err); }
    };
    source.onerror = function () {
      if (source.readyState === EventSource.CLOSED) byId("status").textContent = "disconnected";
    };
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
`;
