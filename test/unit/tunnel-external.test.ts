import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { UsageError } from "../../src/errors.js";
import { createExternalTunnel, createLocalTunnel, parsePublicBaseUrl } from "../../src/tunnel/external.js";
import { joinPublicUrl } from "../../src/tunnel/tunnel.js";
import { FakeTunnel } from "../helpers/fake-tunnel.js";

describe("--public-url (external tunnel)", () => {
  test("accepts https anywhere and http only on loopback", () => {
    for (const ok of [
      "https://hooks.example.com",
      "https://hooks.example.com/prefix/",
      "http://127.0.0.1:8080",
      "http://localhost:3000",
      "http://[::1]:9000",
    ]) {
      assert.ok(parsePublicBaseUrl(ok) instanceof URL, ok);
    }
    for (const bad of [
      "http://hooks.example.com",
      "ftp://x",
      "not a url",
      "https://user:pw@x.example",
      "https://x.example/?a=1",
      "https://x.example/#f",
      "http://127.0.0.1.example.com",
    ]) {
      assert.throws(() => parsePublicBaseUrl(bad), UsageError, bad);
    }
  });

  test("start() returns the given base; the caller appends the receiver path", async () => {
    const tunnel = createExternalTunnel("https://hooks.example.com/certwh/");
    const base = await tunnel.start(1234);
    assert.equal(joinPublicUrl(base, "/hook/abc").href, "https://hooks.example.com/certwh/hook/abc");
    assert.match(tunnel.description, /hooks\.example\.com/);
    await tunnel.close();
  });

  test("an aborted signal rejects", async () => {
    const c = new AbortController();
    c.abort(new Error("stop"));
    await assert.rejects(createExternalTunnel("https://x.example").start(1, c.signal), /stop/);
  });
});

describe("no tunnel (--sandbox)", () => {
  test("the public URL is the local receiver's", async () => {
    const base = await createLocalTunnel().start(4321);
    assert.equal(joinPublicUrl(base, "/hook/x").href, "http://127.0.0.1:4321/hook/x");
  });
});

describe("joinPublicUrl", () => {
  test("slashes are normalised", () => {
    assert.equal(joinPublicUrl(new URL("https://a.example"), "hook/x").href, "https://a.example/hook/x");
    assert.equal(
      joinPublicUrl(new URL("https://a.example/p//"), "//hook/x").href,
      "https://a.example/p/hook/x",
    );
  });
});

describe("FakeTunnel helper", () => {
  test("records starts, hands out the local URL and emits on command", async () => {
    const tunnel = new FakeTunnel();
    const seen: string[] = [];
    tunnel.onStatus((s) => seen.push(`${s.state} ${s.url?.href}`));
    const url = await tunnel.start(5555, new AbortController().signal);
    assert.equal(url.href, "http://127.0.0.1:5555/");
    tunnel.drop();
    tunnel.reconnect();
    tunnel.reconnect("https://other.example");
    assert.deepEqual(seen, [
      "closed http://127.0.0.1:5555/",
      "connected http://127.0.0.1:5555/",
      "connected https://other.example/",
    ]);
    assert.deepEqual(tunnel.starts, [{ localPort: 5555, hadSignal: true }]);
    await tunnel.close();
    assert.equal(tunnel.closeCalls, 1);
  });
});
