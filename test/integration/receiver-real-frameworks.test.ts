// The README's framework recipes, run as written in real Express and real Fastify (devDependencies only),
// with real deliveries over 127.0.0.1: the handler mounted before any body parser, after raw ones, after
// express.json() (500 body_consumed), and from Fastify's onRequest hook while Fastify's other routes still work.
// receiver-frameworks.test.ts covers the same cases without a framework, edge cases included.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type TestContext, test } from "node:test";
import express, { type Express } from "express";
import Fastify from "fastify";
import { createReceiver, type ReceiverOptions } from "../../src/receiver/index.js";
import type { ReceiverOutcome } from "../../src/receiver/outcomes.js";

const SECRET = "real-framework-secret-0123456789abcdef";
const PATH = "/digicert/hook";
const ISSUED = JSON.stringify({ event: "certificate_issued", data: { order_id: 7, certificate_id: 8 } });
const CHALLENGE = JSON.stringify({
  event: "challenge_webhook_endpoint",
  data: { token: "tok-42", webhook_id: 9 },
});
const TEST_EVENT = JSON.stringify({ event: "test_webhook_endpoint", data: {} });

/** A receiver on the README's hook path, recording every outcome. */
function receiverFor(options: Partial<ReceiverOptions> = {}) {
  const receiver = createReceiver({ path: PATH, secret: SECRET, ...options });
  const outcomes: ReceiverOutcome[] = [];
  receiver.on("outcome", (o) => outcomes.push(o));
  const accepted = () => outcomes.flatMap((o) => (o.type === "accepted" ? [o] : []));
  const rejected = () => outcomes.flatMap((o) => (o.type === "rejected" ? [[o.status, o.reason]] : []));
  return { receiver, accepted, rejected };
}

type PostOptions = { key?: string | null; path?: string; contentType?: string };

/** POSTs `body` (UTF-8) to the hook path with the secret; `key: null` sends no X-WEBHOOK-KEY. */
async function post(origin: string, body: string, options: PostOptions = {}) {
  const { key = SECRET, path = PATH, contentType = "application/json" } = options;
  const headers: Record<string, string> = { "content-type": contentType };
  if (key !== null) headers["x-webhook-key"] = key;
  const init = { method: "POST", headers, body, signal: AbortSignal.timeout(5000) };
  const res = await fetch(`${origin}${path}`, init);
  return { status: res.status, text: await res.text() };
}

/** Listens on 127.0.0.1, port 0, closed after the test; resolves with the origin. */
async function serveExpress(t: TestContext, app: Express): Promise<string> {
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** An app route after the receiver, so the tests see that the app's own parsing still works. */
function echoRoute(app: Express): void {
  app.post("/echo", (req, res) => {
    res.json({ got: req.body });
  });
}

test("Express: app.post(path, receiver.handler) ahead of app.use(express.json()) accepts, refuses and passes on", async (t) => {
  const r = receiverFor({ handshakeOpen: () => true });
  const receiver = r.receiver;
  const app = express();
  app.post("/digicert/hook", receiver.handler);
  app.use(express.json());
  echoRoute(app);
  const origin = await serveExpress(t, app);

  const ok = await post(origin, ISSUED);
  assert.equal(ok.status, 200, ok.text);
  const [first] = r.accepted();
  assert.equal(first?.event.type, "certificate_issued");
  assert.equal(first?.event.type === "certificate_issued" && first.event.data.order_id, 7);

  const wrong = await post(origin, ISSUED, { key: "not-the-secret" });
  assert.equal(wrong.status, 401);
  const missing = await post(origin, ISSUED, { key: null });
  assert.equal(missing.status, 401);
  assert.deepEqual(r.rejected(), [
    [401, "unauthorized"],
    [401, "unauthorized"],
  ]);

  // Handshakes: a challenge with the key, and (handshakeOpen) a test delivery without it.
  const challenges: (string | undefined)[] = [];
  receiver.on("challenge", (c) => challenges.push(c.token));
  assert.equal((await post(origin, CHALLENGE)).status, 200);
  assert.deepEqual(challenges, ["tok-42"]);
  assert.equal((await post(origin, TEST_EVENT, { key: null })).status, 200);
  assert.equal(r.accepted().at(-1)?.delivery.handshakeKey, "missing");
  assert.equal(r.accepted().length, 3);

  const echo = await post(origin, ISSUED, { key: null, path: "/echo" });
  assert.equal(echo.status, 200);
  assert.deepEqual(JSON.parse(echo.text), { got: JSON.parse(ISSUED) });
});

test("Express: app.use(path, receiver.handler) is matched on req.originalUrl", async (t) => {
  const r = receiverFor();
  const receiver = r.receiver;
  const app = express();
  app.use("/digicert/hook", receiver.handler);
  app.use(express.json());
  echoRoute(app);
  const origin = await serveExpress(t, app);

  const ok = await post(origin, ISSUED);
  assert.equal(ok.status, 200, ok.text);
  assert.equal(r.accepted()[0]?.event.name, "certificate_issued");
  assert.equal((await post(origin, ISSUED, { key: "not-the-secret" })).status, 401);
  // Below the mount path is another path: passed on to the app (404), never taken as a delivery.
  assert.equal((await post(origin, ISSUED, { path: `${PATH}/more` })).status, 404);
  assert.equal((await post(origin, ISSUED, { key: null, path: "/echo" })).status, 200);
  assert.equal(r.accepted().length, 1);
});

test("Express: after express.json() the answer is 500 body_consumed, saying to mount the handler first", async (t) => {
  const r = receiverFor();
  const app = express();
  app.use(express.json());
  app.post(PATH, r.receiver.handler);
  const origin = await serveExpress(t, app);

  const res = await post(origin, ISSUED);
  assert.equal(res.status, 500);
  assert.match(res.text, /mount the handler before any JSON body parser/);
  assert.deepEqual(r.rejected(), [[500, "body_consumed"]]);
  assert.equal(r.accepted().length, 0);
});

test("Express: after express.text() decoded another charset, 500 body_consumed; declared UTF-8 is accepted", async (t) => {
  const r = receiverFor();
  const app = express();
  app.use(express.text({ type: "*/*" }));
  app.post(PATH, r.receiver.handler);
  const origin = await serveExpress(t, app);
  // UTF-8 bytes, as CertCentral sends JSON; decoded as latin1, "é" became "Ã©" and the bytes sent are lost.
  const body = JSON.stringify({
    event: "certificate_issued",
    data: { order_id: 5, common_name: "café.example" },
  });

  const latin1 = await post(origin, body, { contentType: "application/json; charset=ISO-8859-1" });
  assert.equal(latin1.status, 500);
  assert.match(latin1.text, /mount the handler before express\.text\(\)/);
  assert.deepEqual(r.rejected(), [[500, "body_consumed"]]);
  const utf8 = await post(origin, body, { contentType: "application/json; charset=utf-8" });
  assert.equal(utf8.status, 200, utf8.text);
  assert.equal(r.accepted()[0]?.event.data.common_name, "café.example");
});

test("Express: after express.raw(), express.text() or a verify that keeps req.rawBody, deliveries are accepted", async (t) => {
  const keepRaw = (req: express.Request & { rawBody?: Buffer }, _res: unknown, buf: Buffer) => {
    req.rawBody = buf;
  };
  const parsers = {
    // As written: it parses application/octet-stream only, so a JSON delivery reaches the handler unread.
    "express.raw()": express.raw(),
    // Every type: the handler takes the Buffer it left in req.body.
    'express.raw({ type: "*/*" })': express.raw({ type: "*/*" }),
    'express.text({ type: "*/*" })': express.text({ type: "*/*" }),
    "express.json({ verify }) with req.rawBody": express.json({ verify: keepRaw }),
  };
  for (const [name, parser] of Object.entries(parsers)) {
    const r = receiverFor();
    const app = express();
    app.use(parser);
    app.post(PATH, r.receiver.handler);
    const origin = await serveExpress(t, app);

    const ok = await post(origin, ISSUED);
    assert.equal(ok.status, 200, `${name}: ${ok.text}`);
    const [first] = r.accepted();
    assert.equal(first?.event.type, "certificate_issued", name);
    assert.equal(first?.event.type === "certificate_issued" && first.event.data.certificate_id, 8, name);
    assert.equal((await post(origin, ISSUED, { key: "not-the-secret" })).status, 401, name);
    assert.deepEqual(r.rejected(), [[401, "unauthorized"]], name);
  }
});

test("Fastify: the README's onRequest hook takes deliveries; Fastify's own routes still work", async (t) => {
  const r = receiverFor({ handshakeOpen: () => true });
  const receiver = r.receiver;
  const app = Fastify();
  t.after(() => app.close());
  // The README's recipe, character for character (the last test checks that README.md still quotes it).
  // biome-ignore format: kept on one line as the README quotes it
  app.addHook("onRequest", (req, reply, done) => { if (req.raw.url?.split("?")[0] !== receiver.path) return done(); reply.hijack(); receiver.handler(req.raw, reply.raw); });
  app.post("/echo", async (req) => ({ got: req.body }));
  app.get("/health", async () => ({ ok: true }));
  await app.listen({ port: 0, host: "127.0.0.1" });
  const origin = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

  const ok = await post(origin, ISSUED);
  assert.equal(ok.status, 200, ok.text);
  const [first] = r.accepted();
  assert.equal(first?.event.type, "certificate_issued");
  assert.equal(first?.event.type === "certificate_issued" && first.event.data.order_id, 7);
  assert.equal((await post(origin, ISSUED, { path: `${PATH}?attempt=2` })).status, 200);

  assert.equal((await post(origin, ISSUED, { key: "not-the-secret" })).status, 401);
  assert.deepEqual(r.rejected(), [[401, "unauthorized"]]);

  const challenges: (string | undefined)[] = [];
  receiver.on("challenge", (c) => challenges.push(c.token));
  assert.equal((await post(origin, CHALLENGE)).status, 200);
  assert.deepEqual(challenges, ["tok-42"]);
  assert.equal((await post(origin, TEST_EVENT, { key: null })).status, 200);
  assert.equal(r.accepted().at(-1)?.delivery.handshakeKey, "missing");
  assert.equal(r.accepted().length, 4);

  const echo = await post(origin, ISSUED, { key: null, path: "/echo" });
  assert.equal(echo.status, 200);
  assert.deepEqual(JSON.parse(echo.text), { got: JSON.parse(ISSUED) });
  const health = await fetch(`${origin}/health`, { signal: AbortSignal.timeout(5000) });
  assert.deepEqual([health.status, await health.json()], [200, { ok: true }]);
  assert.equal((await post(origin, ISSUED, { path: "/elsewhere" })).status, 404);
  // Every method on the hook path is the receiver's: a GET is refused 405, never routed by Fastify.
  const get = await fetch(`${origin}${PATH}`, { signal: AbortSignal.timeout(5000) });
  assert.deepEqual([get.status, get.headers.get("allow")], [405, "POST"]);
  assert.equal(r.accepted().length, 4);
});

test("the README quotes the recipes these tests run, as they are written here", () => {
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  const source = readFileSync(new URL(import.meta.url), "utf8");
  const recipes = [...readme.matchAll(/`(app\.(?:post|use|addHook)\([^`]*receiver\.handler[^`]*\))`/g)].map(
    (m) => m[1],
  );
  assert.equal(recipes.length, 3, recipes.join("\n"));
  for (const recipe of recipes) assert.ok(source.includes(`${recipe};`), recipe);
});
