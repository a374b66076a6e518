// receiver.handler inside an Express/Fastify-style app, simulated with node:http and tiny middlewares (no
// framework dependency): a mount path that Express strips from req.url, and body parsers that read the
// stream before the handler runs. Every request must get an answer, never a dropped socket.
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, request, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type TestContext, test } from "node:test";
import { createReceiver, type ReceiverOptions } from "../../src/receiver/handler.js";
import type { AcceptedDelivery, ReceiverOutcome } from "../../src/receiver/outcomes.js";

const SECRET = "framework-secret-0123456789abcdefghij";
const BODY = JSON.stringify({ event: "certificate_issued", data: { order_id: 3, certificate_id: 4 } });

type Req = IncomingMessage & { originalUrl?: string; body?: unknown; rawBody?: unknown };
/** A middleware in front of the handler; it calls `next` when done, as Express's do. */
type Middleware = (req: Req, res: ServerResponse, next: () => void) => void;

/** Reads the whole body off the stream, as every body parser does before the route runs. */
const readAll = (req: IncomingMessage) =>
  new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });

const jsonParser: Middleware = (req, _res, next) => {
  readAll(req).then((raw) => {
    req.body = JSON.parse(raw.toString("utf8"));
    next();
  });
};

/** Express-style mount: the prefix leaves req.url, originalUrl keeps the target as sent. */
const mountAt =
  (prefix: string): Middleware =>
  (req, _res, next) => {
    req.originalUrl = req.url;
    req.url = (req.url ?? "").slice(prefix.length) || "/";
    next();
  };

async function app(t: TestContext, middlewares: Middleware[], options: Partial<ReceiverOptions> = {}) {
  const accepted: AcceptedDelivery[] = [];
  const receiver = createReceiver({
    secret: SECRET,
    path: "/hook",
    onAccept: (d) => {
      accepted.push(d);
    },
    ...options,
  });
  const outcomes: ReceiverOutcome[] = [];
  receiver.on("outcome", (o) => outcomes.push(o));
  const server = createServer((req, res) => {
    const chain = [...middlewares];
    const next = (): void => {
      const mw = chain.shift();
      if (mw) mw(req as Req, res, next);
      else receiver.handler(req, res, () => res.writeHead(404).end("app 404\n"));
    };
    next();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const post = (body: string | ReadableStream = BODY) => {
    // A stream body goes out chunked; undici needs duplex for it, which lib.dom's RequestInit lacks.
    const init = { method: "POST", body, duplex: "half", signal: AbortSignal.timeout(5000) };
    const headers = { "content-type": "application/json", "x-webhook-key": SECRET };
    return fetch(`${origin}/hook`, { ...init, headers } as RequestInit);
  };
  return { receiver, outcomes, accepted, post, origin };
}

test("mounted under a path (app.use('/hook', handler)): matched on originalUrl and accepted", async (t) => {
  const a = await app(t, [mountAt("/hook")]);
  const res = await a.post();
  assert.equal(res.status, 200, await res.text());
  assert.equal(a.accepted.length, 1);
  assert.equal(a.accepted[0]?.text, BODY);
});

test("a JSON body parser ran first: 500 saying to mount the handler before it, reported as body_consumed", async (t) => {
  const a = await app(t, [jsonParser]);
  const res = await a.post();
  assert.equal(res.status, 500);
  assert.match(await res.text(), /mount the handler before any JSON body parser/);
  assert.equal(a.accepted.length, 0);
  const rejected = a.outcomes.filter((o) => o.type === "rejected");
  assert.deepEqual(
    rejected.map((o) => o.type === "rejected" && [o.status, o.reason, o.detail]),
    [[500, "body_consumed", "mount_before_body_parser"]],
  );
  assert.equal(a.receiver.stats.rejectedByReason.body_consumed, 1);
});

test("the raw body left by the framework (express.raw Buffer, express.text string, req.rawBody) is used", async (t) => {
  const asBuffer: Middleware = (req, _res, next) => {
    readAll(req).then((raw) => {
      req.body = raw;
      next();
    });
  };
  const asText: Middleware = (req, _res, next) => {
    readAll(req).then((raw) => {
      req.body = raw.toString("utf8");
      next();
    });
  };
  const withRawBody: Middleware = (req, _res, next) => {
    readAll(req).then((raw) => {
      req.rawBody = raw;
      req.body = JSON.parse(raw.toString("utf8"));
      next();
    });
  };
  for (const parser of [asBuffer, asText, withRawBody]) {
    const a = await app(t, [parser]);
    const res = await a.post();
    assert.equal(res.status, 200, await res.text());
    assert.equal(a.accepted.length, 1);
    assert.equal(a.accepted[0]?.text, BODY);
    assert.equal(JSON.stringify(a.accepted[0]?.payload), BODY);
  }
});

test("a raw body left by the framework still obeys the size cap", async (t) => {
  const asBuffer: Middleware = (req, _res, next) => {
    readAll(req).then((raw) => {
      req.body = raw;
      next();
    });
  };
  // Chunked (no Content-Length): the declared-length check cannot refuse it before the parser runs.
  const a = await app(t, [asBuffer], { maxBodyBytes: 16 });
  const res = await a.post(
    new ReadableStream({
      start(c) {
        c.enqueue(new TextEncoder().encode(BODY));
        c.close();
      },
    }),
  );
  assert.equal(res.status, 413);
  assert.equal(a.accepted.length, 0);
});

/** express.text(): the body decoded with the charset the request declares (UTF-8 when none), as body-parser does. */
const textParser: Middleware = (req, _res, next) => {
  readAll(req).then((raw) => {
    const charset = /charset="?([^";\s]+)/i.exec(req.headers["content-type"] ?? "")?.[1] ?? "utf-8";
    req.body = new TextDecoder(charset).decode(raw);
    next();
  });
};

/** POST `body` with node:http (the exact bytes, the Content-Type given); resolves with status and answer. */
function postBytes(origin: string, body: Buffer, contentType: string) {
  return new Promise<{ status?: number; text: string }>((resolve, reject) => {
    const headers = { "content-type": contentType, "x-webhook-key": SECRET };
    const req = request(`${origin}/hook`, { method: "POST", headers, timeout: 5000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString() }));
    });
    req.on("timeout", () => req.destroy(new Error("no answer")));
    req.on("error", reject);
    req.end(body);
  });
}

test("an express.text() string decoded from another charset is refused as body_consumed; a UTF-8 one is exact", async (t) => {
  // UTF-8 bytes, as CertCentral sends JSON; "é" read as latin1 would become "Ã©".
  const sent = Buffer.from(
    JSON.stringify({ event: "certificate_issued", data: { order_id: 5, common_name: "café.example" } }),
  );
  const a = await app(t, [textParser]);
  const latin1 = await postBytes(a.origin, sent, "text/plain; charset=ISO-8859-1");
  assert.equal(latin1.status, 500);
  assert.match(latin1.text, /mount the handler before express\.text\(\)/);
  assert.equal(a.accepted.length, 0);
  assert.deepEqual(
    a.outcomes.map((o) => o.type === "rejected" && [o.status, o.reason, o.detail]),
    [[500, "body_consumed", "string_body_not_utf8"]],
  );
  for (const contentType of ["text/plain", 'text/plain; charset="UTF-8"']) {
    const utf8 = await postBytes(a.origin, sent, contentType);
    assert.equal(utf8.status, 200, utf8.text);
    assert.ok(a.accepted.at(-1)?.body.equals(sent), contentType);
  }
});
