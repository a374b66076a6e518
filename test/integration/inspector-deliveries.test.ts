// The inspector's deliveries API over plain HTTP: the bounded store behind it, the rows the page syncs with,
// one delivery's detail (the key masked, a real chain decoded, a bad PEM explained).
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
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
  deliveriesApi,
  deliveriesRoutes,
  startInspector,
  UNKNOWN_DELIVERY,
} from "../../src/inspector/index.js";
import { OVER_BUDGET } from "../../src/inspector/replay-route.js";
import { journalEntry } from "../../src/listen/journal.js";
import type { ListenEvent } from "../../src/listen/types.js";
import { ask, logIn, postJson } from "../helpers/inspector.js";
import { startHttpsApp } from "../helpers/self-signed.js";

const AT = Date.parse("2026-01-31T09:00:00.000Z");

/** An accepted delivery as listen reports it: its journal entry (the hook) and its event. */
function accept(
  store: DeliveriesStore,
  event: string,
  data: Record<string, unknown>,
  keyPresent = true,
  receivedAt = AT,
) {
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
    receivedAt,
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

describe("the event feed", () => {
  test("keeps every state event and the newest 5,000 others, in order, however long the session", () => {
    const feed = createEventFeed();
    const state: ListenEvent = { type: "state", stage: "receiver_started", local_url: "http://127.0.0.1:1/" };
    const rejected = (n: number): ListenEvent => ({
      type: "rejected",
      status: 401,
      reason: `bad key ${n}`,
      received_at: "2026-01-31T09:00:01.000Z",
    });
    feed.push(state);
    for (let n = 1; n <= 12_345; n++) feed.push(rejected(n));
    const history = feed.history();
    assert.equal(history[0], state);
    const reasons = history.slice(1).map((e) => (e.type === "rejected" ? e.reason : e.type));
    // Trimmed in batches: at least the newest 5,000, never far more, the newest last.
    assert.ok(reasons.length >= 5000 && reasons.length <= 5500, String(reasons.length));
    const first = 12_345 - reasons.length + 1;
    assert.deepEqual(
      reasons,
      Array.from({ length: reasons.length }, (_, i) => `bad key ${first + i}`),
    );
  });
});

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
    // A row without its detail says so; an id with no row (dropped, or never seen) is named as unknown.
    const [oldest] = deliveries;
    assert.equal(store.whyNoDetail(String(oldest?.id)), DETAIL_GONE);
    assert.equal(store.whyNoDetail("0123456789abcdef"), UNKNOWN_DELIVERY);
    // A dropped detail changes its row: the page, asking for what changed, learns it.
    const rev = store.summaries().rev;
    accept(store, "certificate_issued", { order_id: 9, pad: "x".repeat(150 - 40) });
    const changed = store.summaries(rev).deliveries.map((d) => [d.order_id, d.detail]);
    assert.deepEqual(changed[changed.length - 1], [9, true]);
    assert.ok(
      changed.some(([, detail]) => detail === false),
      JSON.stringify(changed),
    );
  });

  test("drops a detail with the last row that shows it, however much of the byte budget is left", () => {
    // Small bodies fit the byte budget many times over: without this, details of rows long gone piled up.
    const store = createDeliveriesStore({ summaries: 3 });
    const entries = [1, 2, 3, 4, 5].map((order_id) => accept(store, "certificate_issued", { order_id }));
    const [first, second, third, fourth] = entries;
    assert.equal(store.detail(String(first?.id)), undefined);
    assert.equal(store.detail(String(second?.id)), undefined);
    assert.equal(store.detail(String(third?.id))?.body, third?.body);
    assert.equal([...store.details()].length, 3);
    // A repeated body keeps its detail while its newest row is shown.
    accept(store, "certificate_issued", { order_id: 3 });
    accept(store, "certificate_issued", { order_id: 6 });
    accept(store, "certificate_issued", { order_id: 7 });
    assert.equal(store.detail(String(third?.id))?.body, third?.body);
    assert.equal(store.detail(String(fourth?.id)), undefined);
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
    // A changed row keeps its place: rows stay in arrival order (the oldest is dropped first).
    assert.deepEqual(
      store.summaries().deliveries.map((d) => d.answer),
      ["accepted", "refused"],
    );
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
  test("the rows, then only what changed since a revision; /api/page says the store is there", async (t) => {
    const store = createDeliveriesStore();
    accept(store, "certificate_issued", { order_id: 1 });
    const { get } = await serve(t, store);
    assert.equal((await get("/api/page")).json.deliveries_api, true);
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

  test("GET /api/search: event, ids and body text, any case; with since, only rows changed after it", async (t) => {
    const store = createDeliveriesStore();
    accept(store, "certificate_issued", { order_id: 11, common_name: "Needle.example" });
    accept(store, "certificate_revoked", { order_id: 987654 });
    const { get } = await serve(t, store);
    const keysFor = async (q: string, since = 0) =>
      ((await get(`/api/search?q=${encodeURIComponent(q)}&since=${since}`)).json.keys as string[]).length;
    assert.equal(await keysFor("needle.EXAMPLE"), 1, "body text");
    assert.equal(await keysFor("revoked"), 1, "event");
    assert.equal(await keysFor("987654"), 1, "order id");
    assert.equal(await keysFor("certificate_"), 2);
    assert.equal(await keysFor("absent words"), 0);
    const { rev } = store.summaries();
    accept(store, "certificate_issued", { order_id: 13, common_name: "needle.example" });
    assert.equal(await keysFor("needle", rev), 1, "only the new row");
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
    assert.equal(gone.json.error, UNKNOWN_DELIVERY);
  });

  test("a body with a byte order mark (which the receiver accepts) is read as JSON: row ids and the detail", async (t) => {
    const store = createDeliveriesStore();
    const data = { order_id: 7, certificate_id: 8 };
    const body = `\uFEFF${JSON.stringify({ event: "certificate_issued", data })}`;
    const entry = journalEntry({ body, event: "certificate_issued", headers: {}, receivedAt: AT });
    store.addEntry(entry);
    const [row] = store.summaries().deliveries;
    assert.equal(row?.order_id, 7);
    assert.equal(row?.certificate_id, 8);
    const { get } = await serve(t, store);
    const detail = await get(`/api/deliveries/${entry.id}`);
    assert.equal(detail.json.body, body, "the body as sent, its BOM kept");
    assert.deepEqual((detail.json.json as { data: unknown }).data, data);
  });

  test("a repeated body: each row's detail is its own delivery's (?key=), without a key the latest", async (t) => {
    const store = createDeliveriesStore();
    const first = accept(store, "certificate_revoked", { order_id: 5 }, true, AT);
    const again = accept(store, "certificate_revoked", { order_id: 5 }, false, AT + 60_000);
    assert.equal(first.id, again.id, "the same body has the same journal id");
    const { get } = await serve(t, store);
    const rows = (await get("/api/deliveries")).json.deliveries as { key: string; id: string }[];
    assert.equal(rows.length, 2);
    const keyHeader = (json: Record<string, unknown>) => (json.headers as { value: string }[]).at(-1)?.value;
    const a = (await get(`/api/deliveries/${first.id}?key=${rows[0]?.key}`)).json;
    assert.equal(a.received_at, first.received_at);
    assert.equal(keyHeader(a), "•••• (present)");
    const b = (await get(`/api/deliveries/${first.id}?key=${rows[1]?.key}`)).json;
    assert.equal(b.received_at, again.received_at);
    assert.equal(keyHeader(b), "(absent)");
    assert.equal(
      (await get(`/api/deliveries/${first.id}`)).json.received_at,
      again.received_at,
      "the latest",
    );
    assert.deepEqual(
      [...store.details()].map((d) => [d.received_at, d.key_present]),
      [
        [first.received_at, true],
        [again.received_at, false],
      ],
      "the download has both deliveries, in order",
    );
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

interface Received {
  path: string;
  headers: IncomingMessage["headers"];
  body: string;
}

/** The app a replay goes to: answers POST /hook (200, or 500 for a body holding "fail"); anything else fails. */
async function target(t: TestContext) {
  const received: Received[] = [];
  const unexpected: string[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8").on("data", (d: string) => {
      body += d;
    });
    req.on("end", () => {
      if (req.method !== "POST" || req.url !== "/hook") {
        unexpected.push(`${req.method} ${req.url}`);
        res.writeHead(404).end();
        return;
      }
      received.push({ path: req.url, headers: req.headers, body });
      const fail = body.includes("fail");
      res.writeHead(fail ? 500 : 200, { "content-type": "text/plain" }).end(fail ? "it broke" : "thanks");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(() => {
    server.close();
    assert.deepEqual(unexpected, [], "the target got only POST /hook");
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received };
}

async function serveApi(
  t: TestContext,
  store: DeliveriesStore,
  options: Parameters<typeof deliveriesApi>[1],
) {
  const feed = createEventFeed();
  const inspector = await startInspector({
    events: feed.subscribe,
    history: feed.history,
    routes: deliveriesApi(store, options),
  });
  t.after(() => inspector.close());
  const { port, cookie } = await logIn(inspector.url);
  const asPage = { cookie, origin: `http://127.0.0.1:${port}` };
  return { port, cookie, asPage };
}

describe("POST /api/replay", () => {
  test("sends each kept body with the webhook key to the forward target; one result per id", async (t) => {
    const app = await target(t);
    const store = createDeliveriesStore();
    const good = accept(store, "certificate_issued", { order_id: 1 });
    const bad = accept(store, "certificate_revoked", { order_id: 2, note: "fail" });
    const { port, asPage } = await serveApi(t, store, { targets: [app.url], secret: "THE-WEBHOOK-SECRET" });
    const answer = await postJson(
      port,
      "/api/replay",
      { ids: [good.id, bad.id, "0123456789abcdef"] },
      asPage,
    );
    assert.equal(answer.status, 200, answer.body);
    assert.doesNotMatch(answer.body, /THE-WEBHOOK-SECRET/, "the secret never reaches the page");
    const { results } = JSON.parse(answer.body) as { results: Record<string, unknown>[] };
    const byId = new Map(results.map((r) => [r.id, r]));
    assert.equal(byId.get("0123456789abcdef")?.error, UNKNOWN_DELIVERY);
    assert.deepEqual(
      [byId.get(good.id)?.status, byId.get(good.id)?.ok, byId.get(good.id)?.url],
      [200, true, app.url],
    );
    assert.deepEqual([byId.get(bad.id)?.status, byId.get(bad.id)?.ok], [500, false]);
    assert.equal(byId.get(bad.id)?.response_body, "it broke");
    assert.equal(typeof byId.get(good.id)?.ms, "number");
    assert.deepEqual(
      app.received.map((r) => r.body),
      [good.body, bad.body],
    );
    assert.equal(app.received[0]?.headers["x-webhook-key"], "THE-WEBHOOK-SECRET");
    assert.equal(app.received[0]?.headers["content-type"], "application/json");
  });

  test("--skip-verify covers a `to` on this computer only: another host's certificate is checked", async (t) => {
    const app = await startHttpsApp(t);
    const appPort = new URL(app.origin).port;
    const store = createDeliveriesStore();
    const entry = accept(store, "certificate_issued", { order_id: 7 });
    const { port, asPage } = await serveApi(t, store, { skipVerify: true, secret: "THE-WEBHOOK-SECRET" });
    const replayTo = async (to: string) => {
      const answer = await postJson(port, "/api/replay", { ids: [entry.id], to }, asPage);
      assert.equal(answer.status, 200, answer.body);
      return (JSON.parse(answer.body) as { results: Record<string, unknown>[] }).results[0];
    };
    assert.equal((await replayTo(`${app.origin}/hook`))?.ok, true);
    // 0.0.0.0 reaches this same self-signed app, but is not a loopback name: no exception for it.
    const other = await replayTo(`https://0.0.0.0:${appPort}/hook`);
    assert.equal(other?.ok, false, JSON.stringify(other));
    assert.equal(app.bodies.length, 1, "nothing was sent over the unchecked connection");
  });

  test("`to` overrides the targets; a `to` that is not http(s) is refused before anything is sent", async (t) => {
    const app = await target(t);
    const store = createDeliveriesStore();
    const one = accept(store, "certificate_issued", { order_id: 1 });
    const { port, asPage } = await serveApi(t, store, { targets: ["http://127.0.0.1:9/nothing-there"] });
    for (const to of [
      "file:///etc/passwd",
      "javascript:alert(1)",
      "not a url",
      "http://user:pw@127.0.0.1/x",
      42,
    ]) {
      const refused = await postJson(port, "/api/replay", { ids: [one.id], to }, asPage);
      assert.equal(refused.status, 400, `${to}: ${refused.body}`);
      assert.match((JSON.parse(refused.body) as { error: string }).error, /`to`/);
    }
    const empty = await postJson(port, "/api/replay", { ids: [] }, asPage);
    assert.equal(empty.status, 400);
    const sent = await postJson(port, "/api/replay", { ids: [one.id], to: app.url }, asPage);
    assert.equal(sent.status, 200, sent.body);
    assert.equal(app.received.length, 1);
    assert.equal(app.received[0]?.headers["x-webhook-key"], undefined, "no secret given, none sent");
  });

  test("a typed `to` of another origin gets the webhook key only with with_key; a target's origin gets it", async (t) => {
    const forwardTarget = await target(t);
    const elsewhere = await target(t);
    const store = createDeliveriesStore();
    const one = accept(store, "certificate_issued", { order_id: 1 });
    const { port, asPage } = await serveApi(t, store, {
      targets: [forwardTarget.url],
      secret: "THE-WEBHOOK-SECRET",
    });
    const replayTo = async (body: Record<string, unknown>) => {
      const answer = await postJson(port, "/api/replay", { ids: [one.id], ...body }, asPage);
      assert.equal(answer.status, 200, answer.body);
      return (JSON.parse(answer.body) as { key_sent: boolean }).key_sent;
    };
    assert.equal(await replayTo({ to: elsewhere.url }), false);
    assert.equal(elsewhere.received.at(-1)?.headers["x-webhook-key"], undefined, "no key to a typed origin");
    assert.equal(await replayTo({ to: elsewhere.url, with_key: true }), true);
    assert.equal(elsewhere.received.at(-1)?.headers["x-webhook-key"], "THE-WEBHOOK-SECRET", "asked for");
    assert.equal(await replayTo({ to: forwardTarget.url }), true);
    assert.equal(forwardTarget.received.at(-1)?.headers["x-webhook-key"], "THE-WEBHOOK-SECRET", "a target's");
    assert.equal(await replayTo({}), true, "the targets themselves");
  });

  test("a POST without the page's Origin, or without the cookie, is 403 and sends nothing", async (t) => {
    const app = await target(t);
    const store = createDeliveriesStore();
    const one = accept(store, "certificate_issued", { order_id: 1 });
    const { port, cookie } = await serveApi(t, store, { targets: [app.url] });
    const cases: Record<string, string>[] = [
      { cookie },
      { cookie, origin: "http://evil.example" },
      { cookie, origin: `http://localhost:${port}` },
      { origin: `http://127.0.0.1:${port}` },
    ];
    for (const headers of cases) {
      const a = await postJson(port, "/api/replay", { ids: [one.id] }, headers);
      assert.equal(a.status, 403, JSON.stringify(headers));
    }
    assert.equal(app.received.length, 0);
  });
});

test("a replay past its time budget stops starting sends and says which were not sent", async (t) => {
  const app = await target(t);
  const store = createDeliveriesStore();
  const ids = [1, 2, 3].map((i) => accept(store, "certificate_issued", { order_id: i }).id);
  const { port, asPage } = await serveApi(t, store, { targets: [app.url], budgetMs: -1 });
  const answer = await postJson(port, "/api/replay", { ids }, asPage);
  const { results } = JSON.parse(answer.body) as { results: { error?: string }[] };
  assert.deepEqual(
    results.map((r) => r.error),
    [OVER_BUDGET, OVER_BUDGET, OVER_BUDGET],
  );
  assert.equal(app.received.length, 0);
});

describe("GET /api/journal", () => {
  test("the journal file, as an NDJSON attachment", async (t) => {
    const dir = mkdtempSync(join(tmpdir(), "certwh-inspect-"));
    const file = join(dir, "journal.ndjson");
    const text =
      '{"received_at":"2026-01-31T09:00:00.000Z","id":"a1","event":"x","body":"{}","headers":{},"key_present":true}\n';
    writeFileSync(file, text);
    const { port, cookie } = await serveApi(t, createDeliveriesStore(), { journalPath: file });
    const a = await ask(port, "/api/journal", { headers: { cookie } });
    assert.equal(a.status, 200);
    assert.equal(a.headers["content-type"], "application/x-ndjson");
    assert.match(String(a.headers["content-disposition"]), /^attachment; filename="certwh-journal\.ndjson"$/);
    assert.equal(a.body, text);
    const anonymous = await ask(port, "/api/journal");
    assert.equal(anonymous.status, 401);
  });

  test("without a journal: the store's kept deliveries as journal lines", async (t) => {
    const store = createDeliveriesStore();
    const one = accept(store, "certificate_issued", { order_id: 1 });
    const { port, cookie } = await serveApi(t, store, {});
    const a = await ask(port, "/api/journal", { headers: { cookie } });
    assert.equal(a.status, 200);
    const lines = a.body
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(lines, [
      {
        received_at: one.received_at,
        id: one.id,
        event: "certificate_issued",
        body: one.body,
        headers: one.headers,
        key_present: true,
      },
    ]);
  });
});
