// The set of forward targets (every target gets every event, each on its own), the cut-down answer of a
// refusing app, and --skip-verify's reach (a self-signed https app on this computer only).
import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { test } from "node:test";
import type { Delivery, ForwardResult } from "../../src/listen/forward.js";
import { excerpt, readResponseExcerpt } from "../../src/listen/forward-response.js";
import { createForwardTargets, skipsVerify } from "../../src/listen/forward-targets.js";
import { startLoopback } from "../helpers/loopback.js";
import { startHttpsApp } from "../helpers/self-signed.js";

const delivery = (id: string): Delivery => ({
  id,
  event: "certificate_issued",
  body: `{"event":"certificate_issued","data":{"order_id":${id.length}}}`,
  headers: { "content-type": "application/json", "x-webhook-key": "k" },
});
const fast = { backoffBaseMs: 1, backoffMaxMs: 2, random: () => 0 };

test("every target gets every event; a refusing target does not hold back the other; the summary counts", async (t) => {
  const good = await startLoopback(undefined, t);
  const bad = await startLoopback((_r, res) => res.writeHead(503).end("down for maintenance"), t);
  const results: ForwardResult[] = [];
  const targets = createForwardTargets({
    urls: [`${good.origin}/a`, `${bad.origin}/b`],
    maxAttempts: 2,
    attemptCeiling: 2,
    ...fast,
    onResult: (r) => results.push(r),
  });
  for (const id of ["one", "two", "three"]) targets.enqueue(delivery(id));
  await targets.drain();
  await targets.close();
  assert.deepEqual(
    good.requests.map((r) => r.json),
    ["one", "two", "three"].map((id) => JSON.parse(delivery(id).body as string)),
  );
  assert.equal(bad.requests.length, 6, "two attempts for each of the three events");
  assert.deepEqual(targets.summary(), [
    { url: `${good.origin}/a`, events: 3, delivered: 3, failed: 0, unfinished: 0 },
    { url: `${bad.origin}/b`, events: 3, delivered: 0, failed: 3, unfinished: 0 },
  ]);
  const refused = results.filter((r) => r.url === `${bad.origin}/b`);
  assert.ok(refused.every((r) => r.status === 503 && r.responseBody === "down for maintenance"));
  assert.ok(refused.every((r) => r.responseTruncated === false));
  assert.ok(results.filter((r) => r.url === `${good.origin}/a`).every((r) => r.responseBody === undefined));
});

test("deliveries still queued when forwarding stops are counted as not finished, per target", async (t) => {
  const hang = await startLoopback(() => undefined, t); // never answers
  const targets = createForwardTargets({ urls: [`${hang.origin}/slow`], concurrency: 1 });
  targets.enqueue(delivery("a"));
  targets.enqueue(delivery("b"));
  await hang.waitFor(1);
  await targets.close();
  assert.deepEqual(targets.summary(), [
    { url: `${hang.origin}/slow`, events: 2, delivered: 0, failed: 0, unfinished: 2 },
  ]);
});

test("a refusing answer is cut to 512 bytes, its characters kept exactly (escaped only where shown)", async () => {
  const long = excerpt(Buffer.from(`<h1>Error</h1>\n\u001b[31m${"x".repeat(600)}`));
  assert.equal(long.truncated, true);
  // 20 bytes before the x's: "<h1>Error</h1>", a line feed, ESC and "[31m".
  assert.equal(long.text, `<h1>Error</h1>\n\u001b[31m${"x".repeat(512 - 20)}`);
  assert.deepEqual(excerpt(Buffer.from("  short \n")), { text: "  short \n", truncated: false });
  // A character cut at the limit is left out, not shown as a replacement character.
  const cut = excerpt(Buffer.from(`${"a".repeat(511)}é`));
  assert.deepEqual(cut, { text: "a".repeat(511), truncated: true });
});

test("reading an answer stops after the excerpt: an endless body is never read whole", async () => {
  let served = 0;
  const endless = new Readable({
    read() {
      served++;
      this.push(Buffer.alloc(100, 0x61));
    },
  });
  const said = await readResponseExcerpt(endless);
  assert.equal(said.truncated, true);
  assert.equal(said.text, "a".repeat(512));
  assert.ok(served < 20, `read ${served} chunks`);
  assert.equal(endless.destroyed, true);
});

test("--skip-verify reaches https targets on this computer only", () => {
  assert.equal(skipsVerify("https://127.0.0.1:8443/x", true), true);
  assert.equal(skipsVerify("https://localhost:8443/x", true), true);
  assert.equal(skipsVerify("https://[::1]:8443/x", true), true);
  assert.equal(skipsVerify("https://127.0.0.1:8443/x", false), false);
  assert.equal(skipsVerify("http://127.0.0.1:8443/x", true), false);
  assert.equal(skipsVerify("https://app.example.com/x", true), false);
});

test("a self-signed local app: refused at once without --skip-verify (no retries), delivered with it", async (t) => {
  const app = await startHttpsApp(t);
  const notices: string[] = [];
  const results: ForwardResult[] = [];
  const strict = createForwardTargets({
    urls: [`${app.origin}/hook`],
    ...fast,
    onResult: (r) => results.push(r),
    onNotice: (m) => notices.push(m),
  });
  strict.enqueue(delivery("one"));
  strict.enqueue(delivery("two"));
  await strict.drain();
  await strict.close();
  assert.equal(app.bodies.length, 0);
  assert.deepEqual(
    results.map((r) => [r.attempt, r.final]),
    [
      [1, true],
      [1, true],
    ],
  );
  assert.match(
    String(results[0]?.error),
    /^certificate not trusted \((DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)\)$/,
  );
  const sentences = notices.filter((m) => m.includes("presented a TLS certificate"));
  assert.equal(sentences.length, 1, "said once per target");
  assert.match(String(sentences[0]), /add --skip-verify/);

  const lenient = createForwardTargets({ urls: [`${app.origin}/hook`], skipVerify: true });
  lenient.enqueue(delivery("three"));
  await lenient.drain();
  await lenient.close();
  assert.equal(app.bodies.length, 1);
  assert.deepEqual(lenient.summary()[0], {
    url: `${app.origin}/hook`,
    events: 1,
    delivered: 1,
    failed: 0,
    unfinished: 0,
  });
});
