// The inspector's deliveries API over plain HTTP: the bounded store behind it, the rows the page syncs with,
// one delivery's detail (the key masked, a real chain decoded, a bad PEM explained).
import assert from "node:assert/strict";
import { describe, type TestContext, test } from "node:test";
import {
  certificateChain,
  INTERMEDIATE_COMMON_NAME,
  LEAF_COMMON_NAME,
} from "../../src/events/fixtures/chain.js";
import {
  createDeliveriesStore,
  createEventFeed,
  DETAIL_GONE,
  type DeliveriesStore,
  deliveriesRoutes,
  startInspector,
} from "../../src/inspector/index.js";
import { journalEntry } from "../../src/listen/journal.js";
import type { ListenEvent } from "../../src/listen/types.js";
import { ask, logIn } from "../helpers/inspector.js";

const AT = Date.parse("2026-01-31T09:00:00.000Z");

/** An accepted delivery as listen reports it: its journal entry (the hook) and its event. */
function accept(store: DeliveriesStore, event: string, data: Record<string, unknown>, keyPresent = true) {
  const body = JSON.stringify({ event, data });
  const entry = journalEntry({
    body,
    event,
    headers: {
      "content-type": "application/json",
      "user-agent": "CertCentral",
      "x-webhook-key": "SECRET-KEY",
    },
    keyPresent,
    receivedAt: AT,
  });
  if (!keyPresent) entry.key_present = false;
  store.keep(entry);
  const e: ListenEvent = {
    type: "event",
    event,
    data,
    received_at: entry.received_at,
    id: entry.id,
    known: true,
  };
  store.observe(e);
  return entry;
}

async function serve(t: TestContext, store: DeliveriesStore) {
  const feed = createEventFeed();
  const inspector = await startInspector({
    events: feed.subscribe,
    history: feed.history,
    routes: deliveriesRoutes(store, { targets: ["http://127.0.0.1:9/hook"] }),
  });
  t.after(() => inspector.close());
  const { port, cookie } = await logIn(inspector.url);
  const get = async (path: string) => {
    const a = await ask(port, path, { headers: { cookie } });
    return { status: a.status, json: JSON.parse(a.body) as Record<string, unknown>, answer: a };
  };
  return { port, cookie, get };
}

describe("the deliveries store", () => {
  test("keeps at most `summaries` rows (oldest dropped) and details up to `detailBytes` (oldest first)", () => {
    const store = createDeliveriesStore({ summaries: 5, detailBytes: 3 * (2 * 200 + 256) });
    for (let i = 1; i <= 8; i++)
      accept(store, "certificate_issued", { order_id: i, pad: "x".repeat(150 - 40) });
    const { deliveries, total } = store.summaries();
    assert.equal(total, 5);
    assert.deepEqual(
      deliveries.map((d) => d.order_id),
      [4, 5, 6, 7, 8],
    );
    // Only the newest details fit; the older rows stay, saying their detail is gone.
    const withDetail = deliveries.filter((d) => d.detail).map((d) => d.order_id);
    assert.ok(withDetail.length >= 1 && withDetail.length < 5, JSON.stringify(withDetail));
    assert.deepEqual(
      withDetail,
      deliveries.slice(5 - withDetail.length).map((d) => d.order_id),
    );
  });

  test("rows: refused requests get their own ids, forward results land on their row and bump its revision", () => {
    const store = createDeliveriesStore();
    const entry = accept(store, "certificate_revoked", { order_id: 7, certificate_id: 8 });
    store.observe({
      type: "rejected",
      status: 401,
      reason: "bad key",
      received_at: "2026-01-31T09:00:01.000Z",
    });
    const before = store.summaries().rev;
    store.observe({
      type: "forward",
      id: entry.id,
      event: "certificate_revoked",
      url: "http://127.0.0.1:9/hook",
      attempt: 1,
      ok: false,
      status: 500,
      ms: 3,
      final: true,
      response_body: "y".repeat(2000),
    });
    const changed = store.summaries(before).deliveries;
    assert.equal(changed.length, 1);
    assert.equal(changed[0]?.id, entry.id);
    assert.equal(changed[0]?.forwards[0]?.status, 500);
    assert.equal(changed[0]?.forwards[0]?.response_body?.length, 512);
    const all = store.summaries().deliveries;
    assert.deepEqual(
      all.map((d) => [d.id.startsWith("refused-") ? "refused-n" : d.id, d.answer, d.status]).sort(),
      [
        [entry.id, "accepted", 200],
        ["refused-n", "refused", 401],
      ].sort(),
    );
  });
});

describe("GET /api/deliveries and /api/deliveries/<id>", () => {
  test("the rows, then only what changed since a revision", async (t) => {
    const store = createDeliveriesStore();
    accept(store, "certificate_issued", { order_id: 1 });
    const { get } = await serve(t, store);
    const first = await get("/api/deliveries");
    assert.equal(first.status, 200);
    assert.equal((first.json.deliveries as unknown[]).length, 1);
    assert.deepEqual(first.json.targets, ["http://127.0.0.1:9/hook"]);
    accept(store, "certificate_revoked", { order_id: 2 });
    const next = await get(`/api/deliveries?since=${first.json.rev}`);
    assert.deepEqual(
      (next.json.deliveries as { order_id: number }[]).map((d) => d.order_id),
      [2],
    );
    assert.equal(next.json.total, 2);
  });

  test("the detail masks the key (present or absent) and never holds its value", async (t) => {
    const store = createDeliveriesStore();
    const withKey = accept(store, "certificate_revoked", { order_id: 1 });
    const withoutKey = accept(store, "test_webhook_endpoint", { order_id: 2 }, false);
    const { get } = await serve(t, store);
    const a = await get(`/api/deliveries/${withKey.id}`);
    assert.equal(a.status, 200);
    assert.deepEqual(a.json.headers, [
      { name: "Content-Type", value: "application/json" },
      { name: "User-Agent", value: "CertCentral" },
      { name: "X-WEBHOOK-KEY", value: "•••• (present)" },
    ]);
    assert.doesNotMatch(a.answer.body, /SECRET-KEY/);
    assert.equal(a.json.body, withKey.body);
    assert.deepEqual(a.json.json, JSON.parse(withKey.body));
    const b = await get(`/api/deliveries/${withoutKey.id}`);
    assert.deepEqual((b.json.headers as { value: string }[]).at(-1), {
      name: "X-WEBHOOK-KEY",
      value: "(absent)",
    });
    const gone = await get("/api/deliveries/0123456789abcdef");
    assert.equal(gone.status, 404);
    assert.equal(gone.json.error, DETAIL_GONE);
  });

  test("a certificate_issued chain is decoded: names, validity, fingerprints, each signed by the next", async (t) => {
    const store = createDeliveriesStore();
    const entry = accept(store, "certificate_issued", { order_id: 3, certificate_chain: certificateChain() });
    const { get } = await serve(t, store);
    const { json } = await get(`/api/deliveries/${entry.id}`);
    const chain = json.chain as Record<string, unknown>[];
    assert.equal(chain.length, 3);
    assert.match(String(chain[0]?.subject), new RegExp(`CN=${LEAF_COMMON_NAME}`));
    assert.match(String(chain[0]?.issuer), new RegExp(`CN=${INTERMEDIATE_COMMON_NAME}`));
    assert.match(String(chain[0]?.fingerprint256), /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    assert.ok(chain[0]?.valid_from && chain[0]?.valid_to);
    assert.deepEqual(
      chain.map((c) => c.signed_by_next),
      [true, true, null],
    );
    assert.equal(chain[2]?.self_signed, true);
  });

  test("a chain in the wrong order, and a bad PEM, are reported, not fatal", async (t) => {
    const store = createDeliveriesStore();
    const [leaf, intermediate, root] = certificateChain();
    const swapped = accept(store, "certificate_issued", {
      order_id: 4,
      certificate_chain: [leaf, root, intermediate],
    });
    const bad = accept(store, "certificate_issued", {
      order_id: 5,
      certificate_chain: [
        { subject_common_name: "x", pem: "-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----" },
        { pem: 42 },
      ],
    });
    const { get } = await serve(t, store);
    const s = (await get(`/api/deliveries/${swapped.id}`)).json.chain as Record<string, unknown>[];
    assert.deepEqual(
      s.map((c) => c.signed_by_next),
      [false, false, null],
    );
    const b = await get(`/api/deliveries/${bad.id}`);
    assert.equal(b.status, 200);
    const chain = b.json.chain as Record<string, unknown>[];
    assert.match(String(chain[0]?.error), /not an X\.509 certificate/);
    assert.equal(chain[1]?.error, "pem is not a string");
  });
});
