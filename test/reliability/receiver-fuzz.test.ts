// Property-based fuzzing of the receiver over real sockets (issue 5): random methods, paths, headers,
// content types, framings and bodies (huge, truncated, non-UTF-8, deeply nested, __proto__) never crash it,
// never get a 5xx, and never get back anything but the fixed answer texts (no echo of the body or the key).
// Every accepted delivery is journaled exactly once.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import fc from "fast-check";
import { journalEntry, openJournal } from "../../src/listen/journal.js";
import { RESPONSE_TEXT } from "../../src/receiver/guard.js";
import { createReceiver, type ReceiverServer, safeJsonParse } from "../../src/receiver/index.js";
import type { ReceiverOutcome } from "../../src/receiver/outcomes.js";
import { tempDir } from "../helpers/cli.js";
import { readJournal } from "../helpers/journal.js";
import { rawSend } from "../helpers/raw-socket.js";

const SECRET = randomBytes(32).toString("base64url");
const PATH = `/hook/${randomBytes(16).toString("base64url")}`;
const ALLOWED_BODIES = new Set(["", ...Object.values(RESPONSE_TEXT).map((t) => `${t}\n`)]);
const EVENTS = [
  "certificate_issued",
  "certificate_revoked",
  "challenge_webhook_endpoint",
  "test_webhook_endpoint",
];

// ---- arbitraries -------------------------------------------------------------------------------------

const printable = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
});
/** Header-ish text that sometimes carries control characters or latin1 bytes Node's parser must refuse. */
const headerValue = fc.oneof(
  { weight: 6, arbitrary: printable },
  {
    weight: 1,
    arbitrary: fc.string({ unit: fc.integer({ min: 0, max: 0xff }).map((c) => String.fromCharCode(c)) }),
  },
);

const method = fc.oneof(
  { weight: 8, arbitrary: fc.constant("POST") },
  {
    weight: 4,
    arbitrary: fc.constantFrom("GET", "HEAD", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE", "post"),
  },
  { weight: 1, arbitrary: fc.constantFrom("CONNECT", "P0ST", "", "GET /x") },
  { weight: 1, arbitrary: fc.stringMatching(/^[A-Z]{1,12}$/) },
);

const path = fc.oneof(
  { weight: 8, arbitrary: fc.constant(PATH) },
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      `${PATH}?x=1`,
      `${PATH}/`,
      `${PATH.toUpperCase()}`,
      `${PATH}%00`,
      "/",
      "/hook",
      "*",
      "/../../etc/passwd",
      `/%2e%2e${PATH}`,
      `//${PATH}`,
      `http://127.0.0.1${PATH}`,
    ),
  },
  { weight: 2, arbitrary: fc.webPath() },
  { weight: 1, arbitrary: printable.map((s) => `/${s}`) },
  { weight: 1, arbitrary: fc.constant(`/${"a".repeat(20_000)}`) },
);

const contentType = fc.oneof(
  { weight: 6, arbitrary: fc.constant("application/json") },
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      "application/json; charset=utf-8",
      "APPLICATION/JSON",
      "application/jsonx",
      "text/plain",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
      "application/json;charset=latin1",
      "",
    ),
  },
  { weight: 1, arbitrary: headerValue },
);

const key = fc.oneof(
  { weight: 8, arbitrary: fc.constant(SECRET) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      `${SECRET}x`,
      SECRET.slice(1),
      ` ${SECRET}`,
      SECRET.toUpperCase(),
      "é".repeat(SECRET.length),
      "",
      `${SECRET}, ${SECRET}`,
    ),
  },
  { weight: 1, arbitrary: headerValue },
);

const extraHeader = fc.tuple(
  fc.oneof(
    fc.constantFrom(
      "x-forwarded-for",
      "user-agent",
      "accept",
      "x-webhook-key",
      "X-WEBHOOK-KEY",
      "expect",
      "upgrade",
    ),
    fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9-]{0,20}$/),
  ),
  headerValue,
);

const jsonEvent = fc
  .record({ event: fc.oneof(fc.constantFrom(...EVENTS), printable), data: fc.jsonValue({ maxDepth: 4 }) })
  .map((e) => Buffer.from(JSON.stringify(e)));

const protoBody = fc.constantFrom(
  '{"event":"certificate_issued","__proto__":{"polluted":"yes"},"data":{"order_id":1}}',
  '{"event":"certificate_issued","data":{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}}}}',
  '{"__proto__":{"event":"certificate_issued"}}',
  '{"event":"challenge_webhook_endpoint","data":{"token":{"__proto__":{"polluted":"yes"}},"webhook_id":"1"}}',
  '[{"__proto__":{"polluted":"yes"}}]',
);

const deepBody = fc
  .tuple(fc.integer({ min: 100, max: 100_000 }), fc.constantFrom("[", '{"a":'))
  .map(([depth, open]) => {
    const close = open === "[" ? "]" : "}";
    const inner = `${open.repeat(depth)}${open === "[" ? "" : "1"}${close.repeat(depth)}`;
    return Buffer.from(`{"event":"certificate_issued","data":{"x":${inner}}}`);
  });

const hugeBody = fc
  .tuple(fc.integer({ min: 200 * 1024, max: 400 * 1024 }), fc.constantFrom("json", "bytes"))
  .map(([size, kind]) =>
    kind === "json"
      ? Buffer.from(`{"event":"certificate_issued","data":{"pad":"${"a".repeat(size)}"}}`)
      : Buffer.alloc(size, 0xfe),
  );

const body = fc.oneof(
  { weight: 6, arbitrary: jsonEvent },
  { weight: 2, arbitrary: fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v) ?? "")) },
  { weight: 2, arbitrary: jsonEvent.chain((b) => fc.nat(b.length).map((n) => b.subarray(0, n))) },
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 2048 }).map((a) => Buffer.from(a)) },
  { weight: 1, arbitrary: protoBody.map((s) => Buffer.from(s)) },
  { weight: 1, arbitrary: fc.constant(Buffer.from([0xef, 0xbb, 0xbf, ...Buffer.from('{"event":"test"}')])) },
  {
    weight: 1,
    arbitrary: fc.constant(Buffer.from('{"event":"certificate_issued","data":{"s":"\xff\xfe"}}', "latin1")),
  },
  { weight: 1, arbitrary: deepBody },
  { weight: 1, arbitrary: hugeBody },
);

/** How the body is framed: an honest length, a short or long lie, chunked, or no length at all. */
const framing = fc.oneof(
  { weight: 6, arbitrary: fc.constant("length" as const) },
  {
    weight: 1,
    arbitrary: fc.constantFrom("short" as const, "long" as const, "chunked" as const, "none" as const),
  },
);

const hostile = fc.record({
  method,
  path,
  contentType: fc.option(contentType, { nil: undefined, freq: 8 }),
  key: fc.option(key, { nil: undefined, freq: 8 }),
  extra: fc.array(extraHeader, { maxLength: 4 }),
  body,
  framing,
});
/** Deliveries that should be accepted, except for what the random extra headers do to them. */
const plausible = fc.record({
  method: fc.constant("POST"),
  path: fc.constant(PATH),
  contentType: fc.constantFrom("application/json", "application/json; charset=utf-8"),
  key: fc.constant(SECRET),
  extra: fc.array(extraHeader, { maxLength: 2 }),
  body: fc.oneof(
    jsonEvent,
    protoBody.map((t) => Buffer.from(t)),
    deepBody,
  ),
  framing: fc.constantFrom("length" as const, "chunked" as const),
});
const request = fc.oneof({ weight: 2, arbitrary: hostile }, { weight: 1, arbitrary: plausible });
type FuzzRequest = typeof request extends fc.Arbitrary<infer T> ? T : never;

function build(r: FuzzRequest): { head: Buffer; body: Buffer; endAfterWrite: boolean } {
  const lines = [`${r.method} ${r.path} HTTP/1.1`, "Host: 127.0.0.1"];
  if (r.contentType !== undefined) lines.push(`Content-Type: ${r.contentType}`);
  if (r.key !== undefined) lines.push(`X-Webhook-Key: ${r.key}`);
  for (const [name, value] of r.extra) lines.push(`${name}: ${value}`);
  let payload = r.body;
  if (r.framing === "length") lines.push(`Content-Length: ${payload.length}`);
  if (r.framing === "short") lines.push(`Content-Length: ${Math.floor(payload.length / 2)}`);
  if (r.framing === "long") lines.push(`Content-Length: ${payload.length + 100}`);
  if (r.framing === "chunked") {
    lines.push("Transfer-Encoding: chunked");
    payload = Buffer.concat([
      Buffer.from(`${payload.length.toString(16)}\r\n`),
      payload,
      Buffer.from("\r\n0\r\n\r\n"),
    ]);
  }
  // One request per connection, so the answer to a lying length cannot be confused with another one.
  lines.push("Connection: close", "", "");
  return {
    head: Buffer.from(lines.join("\r\n"), "latin1"),
    body: payload,
    endAfterWrite: r.framing === "long",
  };
}

/** Printable ASCII (tab allowed in header values): text Node's HTTP parser accepts. */
function isPlainText(text: string, allowTab: boolean): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && !(allowTab && c === 0x09)) || c > 0x7e) return false;
  }
  return true;
}

/** A request Node's parser accepts as it is, with an honest length: it must always get an answer. */
function wellFormed(r: FuzzRequest): boolean {
  if (r.framing !== "length" || !/^[A-Z]+$/.test(r.method) || r.method === "CONNECT") return false;
  if (!isPlainText(r.path, false) || r.path.includes(" ")) return false;
  const values = [r.contentType, r.key, ...r.extra.map(([, v]) => v)];
  if (!values.every((v) => v === undefined || isPlainText(v, true))) return false;
  // Expect and Upgrade change the exchange itself (417, protocol switch).
  return r.extra.every(([name]) => !["expect", "upgrade"].includes(name.toLowerCase()));
}

/** Splits a response stream into (status, body) pairs using Content-Length (bodies here are small). */
function responses(raw: Buffer): { status: number; body: string }[] {
  const out: { status: number; body: string }[] = [];
  let rest = raw;
  for (let i = 0; i < 10 && rest.length > 0; i++) {
    const end = rest.indexOf("\r\n\r\n");
    if (end < 0) break;
    const head = rest.subarray(0, end).toString("latin1");
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? Number.NaN);
    rest = rest.subarray(end + 4);
    if (/\r\ntransfer-encoding: *chunked/i.test(head)) {
      // Node's own answers (e.g. 417 to an Expect header) come chunked.
      let text = "";
      for (let n = 0; n < 100; n++) {
        const lineEnd = rest.indexOf("\r\n");
        const size = lineEnd < 0 ? 0 : Number.parseInt(rest.subarray(0, lineEnd).toString("latin1"), 16);
        if (!size) {
          rest = rest.subarray(lineEnd < 0 ? rest.length : lineEnd + 4);
          break;
        }
        text += rest.subarray(lineEnd + 2, lineEnd + 2 + size).toString("latin1");
        rest = rest.subarray(lineEnd + 2 + size + 2);
      }
      out.push({ status, body: text });
      continue;
    }
    const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
    out.push({ status, body: rest.subarray(0, length).toString("latin1") });
    rest = rest.subarray(length);
  }
  return out;
}

// ---- the properties ----------------------------------------------------------------------------------

describe("receiver fuzzing (fast-check)", () => {
  let server: ReceiverServer;
  let journalPath: string;
  let journal: Awaited<ReturnType<typeof openJournal>>;
  const outcomes: ReceiverOutcome[] = [];
  let accepted = 0;

  before(async () => {
    journalPath = join(tempDir("certwh-fuzz-"), "journal.ndjson");
    journal = await openJournal(journalPath, { sync: false });
    const receiver = createReceiver({
      path: PATH,
      secret: SECRET,
      trustTunnel: true,
      bodyTimeoutMs: 1000,
      onAccept: (d) =>
        journal.append(
          journalEntry({
            body: d.body,
            event: d.event.name,
            headers: d.headers,
            receivedAt: d.receivedAt,
            firstReceivedAt: d.repeatOf?.firstReceivedAt,
          }),
        ),
    });
    receiver.on("outcome", (o) => {
      outcomes.push(o);
      if (o.type === "accepted") accepted++;
    });
    server = await receiver.listen({
      limits: {
        headersTimeoutMs: 1000,
        requestTimeoutMs: 1500,
        keepAliveTimeoutMs: 500,
        connectionsCheckingIntervalMs: 200,
      },
    });
  });

  after(async () => {
    await server?.close();
    await journal?.close();
  });

  test("random requests: never a 5xx, only the fixed answer texts, never the key", async () => {
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const { head, body, endAfterWrite } = build(r);
        const res = await rawSend({
          port: server.port,
          chunks: body.length > 0 ? [head, body] : [head],
          endAfterWrite,
          deadlineMs: 4000,
          stopOnResponse: false, // every byte goes out, as the property describes the whole request
        });
        const raw = Buffer.concat([Buffer.from(res.head, "latin1"), Buffer.from("\r\n\r\n"), res.body]);
        assert.ok(!raw.toString("latin1").includes(SECRET), "the key came back");
        for (const answer of res.status === undefined ? [] : responses(raw)) {
          assert.ok(answer.status < 500, `answered ${answer.status}`);
          assert.ok(ALLOWED_BODIES.has(answer.body), `unexpected answer body ${JSON.stringify(answer.body)}`);
        }
        // A complete, well-framed request always gets an answer (a 408 at worst), never a silent close.
        if (wellFormed(r)) assert.notEqual(res.status, undefined, "a well-formed request got no answer");
      }),
      { numRuns: 600, interruptAfterTimeLimit: 60_000 },
    );
  });

  test("afterwards: a real delivery is still accepted, nothing leaked, every acceptance journaled once", async (t) => {
    const ok = await fetch(new URL(PATH, server.origin), {
      method: "POST",
      headers: { "content-type": "application/json", "x-webhook-key": SECRET },
      body: JSON.stringify({ event: "certificate_issued", data: { order_id: Date.now() } }),
    });
    assert.equal(ok.status, 200);
    assert.equal(({} as Record<string, unknown>).polluted, undefined, "Object.prototype was polluted");
    assert.ok(!JSON.stringify(outcomes).includes(SECRET), "an outcome carried the key");
    assert.ok(!outcomes.some((o) => o.type === "rejected" && o.status >= 500), "a 5xx outcome");
    await journal.close();
    const contents = await readJournal(journalPath);
    assert.deepEqual(contents.skipped, []);
    assert.equal(contents.entries.length, accepted, "journal lines vs accepted deliveries");
    // Test events carry no data, so repeats share a body (and an id): each one is a fresh check, accepted and
    // journaled again on purpose. Every other body is journaled once unmarked; a repeat is journaled again,
    // marked, and only after its first copy.
    const firsts = new Set<string>();
    for (const e of contents.entries.filter((x) => x.event !== "test_webhook_endpoint")) {
      if (e.repeat) assert.ok(firsts.has(e.id), "a repeat journaled before its first copy");
      else {
        assert.ok(!firsts.has(e.id), "a repeated delivery journaled without its mark");
        firsts.add(e.id);
      }
    }
    t.diagnostic(`${accepted} accepted of ${outcomes.length} answered requests`);
    assert.ok(accepted > 10, `only ${accepted} deliveries were accepted: the generator is too hostile`);
  });

  test("the safe parse: any JSON text parses to prototype-free data or throws SyntaxError/RangeError", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.jsonValue().map((v) => JSON.stringify(v) ?? "null"),
          protoBody,
          fc.string(),
        ),
        (text) => {
          try {
            const value = safeJsonParse(text);
            const walk = (v: unknown, depth: number): void => {
              if (depth > 50 || typeof v !== "object" || v === null) return;
              if (!Array.isArray(v)) {
                assert.equal(Object.getPrototypeOf(v), null);
                assert.ok(!Object.hasOwn(v, "__proto__"));
              }
              for (const child of Object.values(v)) walk(child, depth + 1);
            };
            walk(value, 0);
          } catch (err) {
            assert.ok(err instanceof SyntaxError || err instanceof RangeError, String(err));
          }
          assert.equal(({} as Record<string, unknown>).polluted, undefined);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
