// The receiver over real sockets on 127.0.0.1 (reliability-checklist items 1–8, 10, 12).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { UsageError } from "../../src/errors.js";
import { createReceiver, type ReceiverOptions } from "../../src/receiver/handler.js";
import type { AcceptedDelivery, ReceiverOutcome } from "../../src/receiver/outcomes.js";
import { clientHost, type ReceiverServer } from "../../src/receiver/server.js";
import { rawSend } from "../helpers/raw-socket.js";
import { sleep } from "../helpers/wait.js";

const SECRET = "s3cr3t-canary-0123456789abcdefghijkl"; // 36 chars
const PATH = "/hook/test-path";
const BODY_CANARY = "body-canary-7d1f";

interface Harness {
  srv: ReceiverServer;
  outcomes: ReceiverOutcome[];
  accepted: AcceptedDelivery[];
  receiver: ReturnType<typeof createReceiver>;
  post(
    body: string | Uint8Array,
    headers?: Record<string, string>,
    method?: string,
    path?: string,
  ): Promise<Response>;
}

async function startReceiver(options: Partial<ReceiverOptions> = {}): Promise<Harness> {
  const accepted: AcceptedDelivery[] = [];
  const receiver = createReceiver({
    secret: SECRET,
    path: PATH,
    onAccept: (d) => {
      accepted.push(d);
    },
    ...options,
  });
  const outcomes: ReceiverOutcome[] = [];
  receiver.on("outcome", (o) => outcomes.push(o));
  const srv = await receiver.listen();
  const post: Harness["post"] = (body, headers = {}, method = "POST", path = PATH) =>
    fetch(new URL(path, srv.origin), {
      method,
      headers: { "content-type": "application/json", "x-webhook-key": SECRET, ...headers },
      body:
        method === "GET" || method === "HEAD"
          ? undefined
          : typeof body === "string"
            ? body
            : Buffer.from(body),
      signal: AbortSignal.timeout(5000),
    });
  return { srv, outcomes, accepted, receiver, post };
}

const valid = (n = 1) =>
  JSON.stringify({ event: "certificate_issued", data: { order_id: n, certificate_id: n } });
const rejectedOf = (h: Harness) => h.outcomes.filter((o) => o.type === "rejected");

/** No outcome may carry request bytes or the key (item 1, 5, 19). */
function assertNothingLeaked(h: Harness) {
  const text = JSON.stringify(h.outcomes);
  assert.ok(!text.includes(BODY_CANARY), "an outcome contains body bytes");
  assert.ok(!text.includes(SECRET), "an outcome contains the secret");
  assert.ok(!text.includes("é"), "an outcome contains a header value");
}

describe("receiver over HTTP", () => {
  let h: Harness;
  before(async () => {
    h = await startReceiver();
  });
  after(() => h.srv.close());

  test("item 1: malformed bodies → 400 with a fixed body; the receiver keeps working", async () => {
    const bad: [string, string][] = [
      [`{"event":"certificate_issued","data":{"x":"${BODY_CANARY}"`, "invalid_json"],
      [`{"event":"certificate_issued"} ${BODY_CANARY}`, "invalid_json"],
      [`{"event":"certificate_issued","x":"${BODY_CANARY}"}\ufeff`, "invalid_json"],
      [`["certificate_issued","${BODY_CANARY}"]`, "not_an_object"],
      [`"${BODY_CANARY}"`, "not_an_object"],
      ["null", "not_an_object"],
      [`{"data":{"x":"${BODY_CANARY}"}}`, "missing_event"],
      [`{"event":"certificate_issued","data":"${BODY_CANARY}"}`, "data_not_an_object"],
      [`{"event":"certificate_issued","data":[1]}`, "data_not_an_object"],
      ["", "invalid_json"],
    ];
    for (const [body, detail] of bad) {
      const before = h.outcomes.length;
      const res = await h.post(body);
      assert.equal(res.status, 400, body);
      assert.equal(await res.text(), "bad request\n");
      const o = h.outcomes.slice(before).find((x) => x.type === "rejected");
      assert.ok(o && o.type === "rejected");
      assert.equal(o.detail, detail, body);
      assert.equal(o.bodyBytes, Buffer.byteLength(body));
      if (body.length > 0) assert.match(o.digestPrefix ?? "", /^[0-9a-f]{12}$/);
    }
    // Invalid UTF-8 is a parse failure too.
    const res = await h.post(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]));
    assert.equal(res.status, 400);
    assert.equal((await h.post(valid(1))).status, 200);
    assertNothingLeaked(h);
  });

  test("item 1: __proto__ keys are dropped and Object.prototype stays clean", async () => {
    const res = await h.post(
      '{"event":"certificate_issued","__proto__":{"polluted":true},"data":{"order_id":77,"constructor":{"prototype":{"polluted":true}}}}',
    );
    assert.equal(res.status, 200);
    const last = h.accepted.at(-1);
    assert.ok(last);
    assert.equal(Object.hasOwn(last.payload, "__proto__"), false);
    assert.equal(Object.hasOwn(last.event.data, "constructor"), false);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  test("item 3: any Content-Type (or none) is accepted when the body is JSON; non-JSON stays 400", async () => {
    const types = ["text/plain", "application/x-www-form-urlencoded", "application/jsonx", ""];
    for (const [i, type] of types.entries()) {
      const res = await h.post(valid(300 + i), { "content-type": type });
      assert.equal(res.status, 200, type);
    }
    const none = await fetch(new URL(PATH, h.srv.origin), {
      method: "POST",
      headers: { "x-webhook-key": SECRET },
      body: new TextEncoder().encode(valid(3)),
    });
    assert.equal(none.status, 200);
    assert.equal(
      (await h.post(valid(31), { "content-type": "application/json; charset=utf-8" })).status,
      200,
    );
    const plainNonJson = await h.post("order_id=3", { "content-type": "text/plain" });
    assert.equal(plainNonJson.status, 400);
    const noTypeNonJson = await fetch(new URL(PATH, h.srv.origin), {
      method: "POST",
      headers: { "x-webhook-key": SECRET },
      body: new TextEncoder().encode("not json"),
    });
    assert.equal(noTypeNonJson.status, 400);
    const last = rejectedOf(h).at(-1);
    assert.equal(last?.type === "rejected" && last.detail, "invalid_json");
    assert.ok(h.accepted.some((d) => d.headers["content-type"] === "text/plain"));
  });

  test("a body starting with a UTF-8 BOM is accepted: parsed without it, its text keeps it", async () => {
    const body = `\ufeff${valid(77)}`;
    const acceptedBefore = h.accepted.length;
    assert.equal((await h.post(body)).status, 200);
    const [d] = h.accepted.slice(acceptedBefore);
    assert.ok(d);
    assert.equal(d.text, body);
    assert.equal(d.event.type, "certificate_issued");
    assert.equal(JSON.stringify(d.payload), valid(77));
    // Only one leading BOM is ignored: a second one, or one at the end (item 1 above), is not JSON.
    assert.equal((await h.post(`\ufeff\ufeff${valid(78)}`)).status, 400);
  });

  test("item 4: methods and paths, answered before reading a body", async () => {
    for (const method of ["GET", "HEAD", "OPTIONS", "PUT", "DELETE"]) {
      const res = await h.post(valid(4), {}, method);
      assert.equal(res.status, 405, method);
      assert.equal(res.headers.get("allow"), "POST");
    }
    for (const path of ["/", "/hook", "/hook/other", `${PATH}/x`, "/HOOK/test-path"]) {
      assert.equal((await h.post(valid(4), {}, "POST", path)).status, 404, path);
    }
    assert.equal((await h.post(valid(41), {}, "POST", `${PATH}?source=digicert`)).status, 200);
    for (const o of rejectedOf(h)) {
      if (o.type === "rejected" && (o.status === 404 || o.status === 405)) assert.equal(o.bodyBytes, 0);
    }
  });

  test("items 5–6: missing, wrong, non-ASCII and repeated keys → 401 with one body; header name case-insensitive", async () => {
    const bodies = new Set<string>();
    const missing = await fetch(new URL(PATH, h.srv.origin), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: valid(5),
    });
    assert.equal(missing.status, 401);
    bodies.add(await missing.text());
    // (Surrounding whitespace is not a different key: HTTP strips it before the receiver sees the value.)
    const wrongKeys = ["wrong", "é".repeat(32), `${SECRET.slice(0, -1)}X`, `${SECRET}, ${SECRET}`];
    for (const [i, key] of wrongKeys.entries()) {
      const res = await h.post(valid(5), { "x-webhook-key": key });
      assert.equal(res.status, 401, `wrong key #${i}`);
      bodies.add(await res.text());
    }
    assert.deepEqual([...bodies], ["unauthorized\n"]);

    const body = valid(6);
    const request = (headerLines: string[]) =>
      rawSend({
        port: h.srv.port,
        chunks: [
          `POST ${PATH} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n${headerLines.join("\r\n")}\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
        ],
      });
    const repeated = await request([`X-WEBHOOK-KEY: ${SECRET}`, `x-webhook-key: ${SECRET}`]);
    assert.equal(repeated.status, 401);
    const mixedCase = await request([`x-WebHook-KEY: ${SECRET}`]);
    assert.equal(mixedCase.status, 200);
    const details = rejectedOf(h).map((o) => o.type === "rejected" && o.detail);
    assert.ok(details.includes("missing") && details.includes("mismatch") && details.includes("repeated"));
    assertNothingLeaked(h);
    assert.equal(h.receiver.stats.rejectedByReason.unauthorized, 6);
  });

  test("item 10: repeats get 200 and are passed on, marked with the first receipt", async () => {
    const body = valid(10);
    const acceptedBefore = h.accepted.length;
    for (let i = 0; i < 3; i++) assert.equal((await h.post(body)).status, 200);
    const passed = h.accepted.slice(acceptedBefore);
    assert.equal(passed.length, 3);
    assert.equal(passed[0].repeatOf, undefined);
    assert.equal(passed[1].repeatOf?.firstReceivedAt, passed[0].receivedAt);
    assert.equal(passed[2].repeatOf?.firstReceivedAt, passed[0].receivedAt);
    const marked = h.outcomes.filter((o) => o.type === "accepted" && o.delivery.repeatOf);
    assert.equal(marked.length, 2);
    assert.equal(h.outcomes.filter((o) => o.type === "duplicate").length, 0);
    assert.ok(h.receiver.stats.repeats >= 2);
  });

  test("item 10: dedupe { drop: true } answers repeats 200 and processes them once", async () => {
    const d = await startReceiver({ dedupe: { drop: true } });
    try {
      const body = valid(10);
      for (let i = 0; i < 3; i++) assert.equal((await d.post(body)).status, 200);
      assert.equal(d.accepted.length, 1);
      const dups = d.outcomes.filter((o) => o.type === "duplicate");
      assert.equal(dups.length, 2);
      for (const o of dups)
        assert.equal(
          o.type === "duplicate" && o.delivery.repeatOf?.firstReceivedAt,
          d.accepted[0].receivedAt,
        );
    } finally {
      await d.srv.close();
    }
  });

  test("unknown event names are accepted and reported as unknown", async () => {
    const res = await h.post(JSON.stringify({ event: "order_approval_email_sent", data: { order_id: 1 } }));
    assert.equal(res.status, 200);
    const o = h.outcomes.at(-1);
    assert.ok(o && o.type === "accepted");
    assert.equal(o.known, false);
    assert.equal(o.event.type, "unknown");
    assert.equal(o.event.name, "order_approval_email_sent");
    assert.ok(h.receiver.stats.unknownEvents >= 1);
  });

  test("the test event (no data) is accepted, and a repeat is a fresh check, not a duplicate", async () => {
    const acceptedBefore = h.accepted.length;
    const duplicatesBefore = h.outcomes.filter((o) => o.type === "duplicate").length;
    assert.equal((await h.post('{"event":"test_webhook_endpoint"}')).status, 200);
    assert.equal((await h.post('{"event":"test_webhook_endpoint"}')).status, 200);
    assert.equal(h.accepted.length, acceptedBefore + 2);
    assert.equal(h.outcomes.filter((o) => o.type === "duplicate").length, duplicatesBefore);
  });
});

describe("receiver options", () => {
  test("a secret is required unless allowUnauthenticated is explicit", async () => {
    assert.throws(() => createReceiver({}), UsageError);
    assert.throws(() => createReceiver({ secret: "" }), UsageError);
    assert.throws(() => createReceiver({ secret: SECRET, path: "no-slash" }), UsageError);
    const h = await startReceiver({ secret: undefined, allowUnauthenticated: true });
    try {
      assert.equal(h.receiver.warnings.length, 1);
      const res = await fetch(new URL(PATH, h.srv.origin), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: valid(1),
      });
      assert.equal(res.status, 200);
    } finally {
      await h.srv.close();
    }
  });

  test("a hook path that is not already normalised is refused at construction; server.url always reaches the receiver", async () => {
    for (const path of [
      "/a/../hook",
      "/a/./b",
      "/a/%2e%2e/b",
      "/x\\y",
      "//evil.example/x",
      "/hook/ü",
      "/a b",
      "/a?x",
      "/a#x",
    ]) {
      assert.throws(
        () => createReceiver({ secret: SECRET, path }),
        (e: unknown) => e instanceof UsageError && /must be a plain URL path/.test(e.message),
        path,
      );
    }
    for (const path of ["/", "/hook", "/digicert/hook", "/h%41", "/a-b_c.d~e/f:g@h!$&'()*+,;="]) {
      const h = await startReceiver({ path });
      try {
        assert.equal(h.srv.url.pathname, path);
        assert.equal(h.srv.url.origin, h.srv.origin);
        const res = await fetch(h.srv.url, {
          method: "POST",
          headers: { "content-type": "application/json", "x-webhook-key": SECRET },
          body: valid(90),
        });
        assert.equal(res.status, 200, path);
      } finally {
        await h.srv.close();
      }
    }
  });

  test("bound to a wildcard host (0.0.0.0, ::), url and origin use the loopback address that reaches it", async () => {
    const receiver = createReceiver({ secret: SECRET, path: PATH });
    const srv = await receiver.listen({ host: "0.0.0.0" });
    try {
      assert.equal(srv.origin, `http://127.0.0.1:${srv.port}`);
      assert.equal(srv.url.href, `http://127.0.0.1:${srv.port}${PATH}`);
      const res = await fetch(srv.url, {
        method: "POST",
        headers: { "content-type": "application/json", "x-webhook-key": SECRET },
        body: valid(91),
      });
      assert.equal(res.status, 200);
    } finally {
      await srv.close();
    }
    // IPv6 only by its mapping (tests talk to 127.0.0.1 only): every spelling of "::" is [::1].
    for (const host of ["::", "::0", "0:0:0:0:0:0:0:0"]) assert.equal(clientHost(host), "[::1]", host);
    assert.equal(clientHost("::1"), "[::1]");
    assert.equal(clientHost("127.0.0.1"), "127.0.0.1");
    assert.equal(clientHost("192.0.2.7"), "192.0.2.7");
  });

  test("a secret no header can carry (non-ASCII, control characters, surrounding whitespace) is refused at construction", () => {
    const cannotCarry = [
      "€".repeat(32),
      "é".repeat(32),
      ` ${SECRET}`,
      `${SECRET} `,
      `${SECRET}\n`,
      `a\u0000${SECRET}`,
    ];
    for (const secret of cannotCarry) {
      assert.throws(
        () => createReceiver({ secret }),
        (e: unknown) => e instanceof UsageError && /^secret: The webhook secret contains/.test(e.message),
        JSON.stringify(secret),
      );
      assert.throws(
        () => createReceiver({ secret: SECRET, previousSecret: secret }),
        (e: unknown) => e instanceof UsageError && /^previousSecret: /.test(e.message),
        JSON.stringify(secret),
      );
    }
    // Printable ASCII, symbols included, is carried as is.
    assert.doesNotThrow(() => createReceiver({ secret: `${SECRET}!"#$%&'()*+,-./:;<=>?@[\\]^_\`{|}~` }));
  });

  test("a port in use is a library error: no CLI flag in its advice, a stable code for callers", async () => {
    const busy = await createReceiver({ secret: SECRET, path: PATH }).listen();
    try {
      await assert.rejects(
        createReceiver({ secret: SECRET, path: PATH }).listen({ port: busy.port }),
        (e: unknown) => {
          assert.ok(e instanceof UsageError);
          assert.match(e.message, new RegExp(`Port ${busy.port} is already in use on 127\\.0\\.0\\.1`));
          assert.equal(e.code, "port_in_use");
          assert.doesNotMatch(`${e.message} ${e.hint}`, /--/);
          assert.match(e.hint ?? "", /another port, or on port 0/);
          return true;
        },
      );
    } finally {
      await busy.close();
    }
  });

  test("default path is /hook/<22 base64url chars>, different each time", () => {
    const a = createReceiver({ secret: SECRET }).path;
    const b = createReceiver({ secret: SECRET }).path;
    assert.match(a, /^\/hook\/[A-Za-z0-9_-]{22}$/);
    assert.notEqual(a, b);
  });

  test("item 7: direct mode checks the peer; X-Forwarded-For from loopback does not help", async () => {
    const h = await startReceiver({ sourceAllowlist: ["216.168.240.0/20"] });
    try {
      assert.equal((await h.post(valid(7), { "x-forwarded-for": "216.168.240.5" })).status, 403);
      assert.equal(h.accepted.length, 0);
      const o = rejectedOf(h)[0];
      assert.ok(o.type === "rejected" && o.reason === "forbidden_source" && o.bodyBytes === 0);
    } finally {
      await h.srv.close();
    }
    const local = await startReceiver({ sourceAllowlist: ["127.0.0.0/8"] });
    try {
      assert.equal((await local.post(valid(7))).status, 200);
    } finally {
      await local.srv.close();
    }
  });

  test("item 8: tunnel mode trusts only the last X-Forwarded-For entry", async () => {
    const h = await startReceiver({ trustTunnel: true, sourceAllowlist: ["216.168.240.0/20"] });
    try {
      assert.equal((await h.post(valid(8), { "x-forwarded-for": "216.168.240.5, 203.0.113.9" })).status, 403);
      assert.equal((await h.post(valid(8), {})).status, 403);
      assert.equal((await h.post(valid(8), { "x-forwarded-for": "203.0.113.9, 216.168.240.5" })).status, 200);
    } finally {
      await h.srv.close();
    }
  });

  test("item 12: onAccept is awaited before the 200; nothing else is", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let journaled = false;
    const h = await startReceiver({
      onAccept: async () => {
        await gate;
        journaled = true;
      },
    });
    try {
      let answered = false;
      const pending = h.post(valid(12)).then((res) => {
        answered = true;
        return res;
      });
      await sleep(150);
      assert.equal(answered, false, "answered before onAccept finished");
      assert.equal(h.receiver.stats.inFlight, 1);
      release();
      const res = await pending;
      assert.equal(res.status, 200);
      assert.equal(journaled, true);
    } finally {
      await h.srv.close();
    }
  });

  test("onAccept failing → 500, not acknowledged: the resend is processed again", async () => {
    let calls = 0;
    const h = await startReceiver({
      onAccept: () => {
        calls++;
        if (calls === 1) throw new Error(`disk full ${BODY_CANARY}`);
      },
    });
    try {
      const first = await h.post(valid(13));
      assert.equal(first.status, 500);
      assert.equal(await first.text(), "internal error\n");
      assert.equal((await h.post(valid(13))).status, 200);
      assert.equal(calls, 2);
      assert.equal(h.outcomes.filter((o) => o.type === "duplicate").length, 0);
      assert.equal(h.outcomes.filter((o) => o.type === "accepted").length, 1);
      assertNothingLeaked(h);
    } finally {
      await h.srv.close();
    }
  });

  test("Express-style next(): other paths are passed on", async () => {
    const receiver = createReceiver({ secret: SECRET, path: PATH });
    const { createServer } = await import("node:http");
    const server = createServer((req, res) =>
      receiver.handler(req, res, () => {
        res.statusCode = 299;
        res.end();
      }),
    );
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const port = (server.address() as { port: number }).port;
      assert.equal((await fetch(`http://127.0.0.1:${port}/elsewhere`)).status, 299);
      assert.equal((await fetch(`http://127.0.0.1:${port}${PATH}`)).status, 405);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  test("a throwing subscriber does not break the delivery", async () => {
    const h = await startReceiver();
    h.receiver.on("accepted", () => {
      throw new Error("subscriber bug");
    });
    try {
      assert.equal((await h.post(valid(14))).status, 200);
    } finally {
      await h.srv.close();
    }
  });
});
