// Starvation (issue 11, case 2): `certwh listen --sandbox --json` while 256 slowloris sockets are held open
// (one header line every 3 s, reopened as soon as the receiver cuts one off), and 100 senders post 2,000
// valid certificate_issued events, each on a fresh connection. Counts the events answered 200, those found
// in the journal, and what the senders saw otherwise (other statuses, socket errors).
import { readFileSync } from "node:fs";
import { request } from "node:http";
import { connect } from "node:net";
import { stopChild } from "./lib/proc.mjs";
import { startListen } from "./listen.mjs";

const SLOW_SOCKETS = 256;
const SENDERS = 100;
const EVENTS = 2_000;
const HEADER_EVERY_MS = 3_000;

/** Keeps `count` slow-header sockets open against `url` until stop() is called. */
function holdSlowloris(url, count) {
  const sockets = new Set();
  let stopped = false;
  let opened = 0;
  const open = () => {
    if (stopped) return;
    opened++;
    const socket = connect({ host: url.hostname, port: Number(url.port) });
    sockets.add(socket);
    let timer;
    socket.on("error", () => undefined);
    socket.once("connect", () => {
      socket.write(`POST ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\n`);
      timer = setInterval(() => socket.write(`X-Slow-${Date.now()}: 1\r\n`), HEADER_EVERY_MS);
    });
    socket.once("close", () => {
      clearInterval(timer);
      sockets.delete(socket);
      setTimeout(open, 10);
    });
  };
  for (let i = 0; i < count; i++) open();
  return {
    get open() {
      return sockets.size;
    },
    get opened() {
      return opened;
    },
    stop() {
      stopped = true;
      for (const socket of sockets) socket.destroy();
    },
  };
}

/** One event on a fresh connection (no agent, Connection: close). */
function postOnce(url, secret, orderId) {
  const body = JSON.stringify({
    event: "certificate_issued",
    data: { order_id: orderId, certificate_id: 1 },
  });
  return new Promise((resolve) => {
    const req = request(
      url,
      {
        method: "POST",
        agent: false,
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
          "x-webhook-key": secret,
        },
        timeout: 30_000,
      },
      (res) => {
        res.resume();
        res.once("end", () => resolve({ status: res.statusCode, retryAfter: res.headers["retry-after"] }));
        res.once("error", (err) => resolve({ error: err.code ?? err.message }));
      },
    );
    req.once("timeout", () => req.destroy(new Error("timeout")));
    req.once("error", (err) => resolve({ error: err.code ?? err.message }));
    req.end(body);
  });
}

export async function benchStarve({ events = EVENTS } = {}) {
  const listen = await startListen();
  const url = new URL(listen.url);
  const slow = holdSlowloris(url, SLOW_SOCKETS);
  try {
    // Let every slow socket connect and start dribbling before the senders start.
    for (let i = 0; i < 100 && slow.open < SLOW_SOCKETS; i++) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 500));
    const firstOrderId = 880_000_000;
    const results = new Map();
    let next = 0;
    const started = performance.now();
    const sender = async () => {
      while (next < events) {
        const orderId = firstOrderId + next++;
        results.set(orderId, await postOnce(url, listen.secret, orderId));
      }
    };
    await Promise.all(Array.from({ length: SENDERS }, sender));
    const seconds = (performance.now() - started) / 1000;
    const slowOpenAtEnd = slow.open;
    slow.stop();
    await stopChild(listen.child);

    const journaled = new Set();
    for (const line of readFileSync(listen.journal, "utf8").split("\n")) {
      if (!line) continue;
      const body = JSON.parse(JSON.parse(line).body ?? "{}");
      if (body.event === "certificate_issued") journaled.add(body.data?.order_id);
    }
    let ok = 0;
    let lost = 0;
    let shed = 0;
    let errors = 0;
    for (const [orderId, r] of results) {
      if (r.status === 200) {
        ok++;
        if (!journaled.has(orderId)) lost++;
      } else if (r.status === 503) shed++;
      else errors++;
    }
    const share = ok / events;
    return {
      what: `listen: ${events} events from ${SENDERS} senders on fresh connections, ${SLOW_SOCKETS} slowloris sockets held`,
      baseline: "",
      subject: `${(share * 100).toFixed(1)}% answered 200 and journaled (${lost} lost, ${shed} × 503, ${errors} other/errors), ${Math.round(events / seconds)} events/s`,
      base: "",
      ratio: null,
      target: "≥ 99%, none lost",
      met: share >= 0.99 && lost === 0,
      detail: {
        answered_200: ok,
        answered_503: shed,
        other_or_socket_errors: errors,
        acknowledged_not_journaled: lost,
        seconds,
        slowloris_sockets_opened: slow.opened,
        slowloris_open_at_end: slowOpenAtEnd,
      },
    };
  } finally {
    slow.stop();
    await stopChild(listen.child);
  }
}
