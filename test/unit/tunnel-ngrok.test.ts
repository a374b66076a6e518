// The ngrok adapter: exact forward() options through an injected fake, and the real SDK offline only
// (server_addr points at loopback, so no test ever dials the internet).
import assert from "node:assert/strict";
import { createServer, type Socket } from "node:net";
import { describe, test } from "node:test";
import type { Config } from "@ngrok/ngrok";
import { TunnelError } from "../../src/errors.js";
import { createNgrokTunnel, describeNgrokError, type NgrokForward } from "../../src/tunnel/ngrok.js";
import type { TunnelStatus } from "../../src/tunnel/tunnel.js";

const TOKEN = "fake_ngrok_token_0123456789abcdef";
const env = { NGROK_AUTHTOKEN: TOKEN };

function fakeForward(url = "https://abc123.ngrok.app") {
  const configs: Config[] = [];
  let closes = 0;
  const forward: NgrokForward = async (config) => {
    configs.push(config);
    return {
      url: () => url,
      close: async () => {
        closes++;
      },
    };
  };
  return { forward, configs, closes: () => closes };
}

const neverCalled: NgrokForward = async () => {
  throw new Error("forward must not be called");
};

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return port;
}

describe("ngrok adapter with an injected forward()", () => {
  test("NGROK_AUTHTOKEN missing → TunnelError (exit 7) without calling ngrok", async () => {
    for (const e of [{}, { NGROK_AUTHTOKEN: "" }, { NGROK_AUTHTOKEN: "   " }]) {
      const tunnel = createNgrokTunnel({ env: e, forward: neverCalled });
      await assert.rejects(tunnel.start(8080), (err: unknown) => {
        assert.ok(err instanceof TunnelError);
        assert.equal(err.exitCode, 7);
        assert.match(err.message, /NGROK_AUTHTOKEN is not set/);
        assert.ok(err.hint);
        return true;
      });
    }
  });

  test("passes the exact options: loopback addr, token, DigiCert's range at the edge", async () => {
    const fake = fakeForward();
    const tunnel = createNgrokTunnel({ env, forward: fake.forward });
    const url = await tunnel.start(41234);
    assert.equal(url.href, "https://abc123.ngrok.app/");
    assert.equal(fake.configs.length, 1);
    const { onStatusChange, ...rest } = fake.configs[0];
    assert.equal(typeof onStatusChange, "function");
    // The token is not in process.env here, so it is passed explicitly.
    assert.deepEqual(rest, {
      addr: "127.0.0.1:41234",
      authtoken: TOKEN,
      ip_restriction_allow_cidrs: ["216.168.240.0/20"],
    });
    await tunnel.close();
    await tunnel.close();
    assert.equal(fake.closes(), 1);
  });

  test("with the token in process.env it uses authtoken_from_env; domain and allowlist options", async () => {
    const saved = process.env.NGROK_AUTHTOKEN;
    process.env.NGROK_AUTHTOKEN = TOKEN;
    try {
      const fake = fakeForward("https://hooks.example.ngrok.app");
      const tunnel = createNgrokTunnel({
        forward: fake.forward,
        domain: "hooks.example.ngrok.app",
        ipAllowlist: false,
      });
      await tunnel.start(5000);
      const { onStatusChange: _, ...rest } = fake.configs[0];
      assert.deepEqual(rest, {
        addr: "127.0.0.1:5000",
        authtoken_from_env: true,
        domain: "hooks.example.ngrok.app",
      });
      assert.equal(tunnel.description, "ngrok (hooks.example.ngrok.app)");
      await tunnel.close();
    } finally {
      if (saved === undefined) delete process.env.NGROK_AUTHTOKEN;
      else process.env.NGROK_AUTHTOKEN = saved;
    }
  });

  test("status changes are forwarded with the current URL", async () => {
    const fake = fakeForward();
    const tunnel = createNgrokTunnel({ env, forward: fake.forward });
    const seen: TunnelStatus[] = [];
    const off = tunnel.onStatus((s) => seen.push(s));
    await tunnel.start(1234);
    fake.configs[0].onStatusChange?.("closed");
    fake.configs[0].onStatusChange?.("connected");
    fake.configs[0].onStatusChange?.("something-else");
    off();
    fake.configs[0].onStatusChange?.("closed");
    assert.deepEqual(
      seen.map((s) => [s.state, s.url?.href]),
      [
        ["closed", "https://abc123.ngrok.app/"],
        ["connected", "https://abc123.ngrok.app/"],
      ],
    );
    await tunnel.close();
  });

  test("a forward() that never settles is cut off by the adapter's timeout; a late listener is closed", async () => {
    let resolveLate!: (l: { url: () => string; close: () => Promise<void> }) => void;
    let lateClosed = false;
    const hanging: NgrokForward = () =>
      new Promise((r) => {
        resolveLate = r;
      });
    const tunnel = createNgrokTunnel({ env, forward: hanging, timeoutMs: 100 });
    await assert.rejects(tunnel.start(1234), (err: unknown) => {
      assert.ok(err instanceof TunnelError);
      assert.equal(err.code, "ngrok_timeout");
      assert.match(err.hint ?? "", /network/);
      return true;
    });
    resolveLate({
      url: () => "https://late.ngrok.app",
      close: async () => {
        lateClosed = true;
      },
    });
    await new Promise((r) => setImmediate(r));
    assert.equal(lateClosed, true);
  });

  test("an abort during start rejects with the abort reason", async () => {
    const hanging: NgrokForward = () => new Promise(() => {});
    const tunnel = createNgrokTunnel({ env, forward: hanging, timeoutMs: 5000 });
    const controller = new AbortController();
    const reason = new Error("interrupted");
    setTimeout(() => controller.abort(reason), 20);
    await assert.rejects(tunnel.start(1234, controller.signal), (err) => err === reason);
  });

  test("SDK errors become plain sentences; the token never appears", () => {
    const withCode = (errorCode: string) =>
      Object.assign(new Error(`authentication failed: Your authtoken: ${TOKEN}`), { errorCode });
    const cases: [unknown, RegExp][] = [
      [withCode("ERR_NGROK_105"), /refused the authtoken/],
      [withCode("ERR_NGROK_107"), /refused the authtoken/],
      [withCode("ERR_NGROK_4018"), /verified account/],
      [withCode("ERR_NGROK_108"), /agent sessions/],
      [withCode("ERR_NGROK_9999"), /refused to open the tunnel \(ERR_NGROK_9999\)/],
      [
        Object.assign(new Error("failed to connect session: failed to establish tcp connection"), {
          code: "GenericFailure",
        }),
        /Could not reach the ngrok service/,
      ],
      [new Error("weird"), /ngrok failed to start/],
    ];
    for (const [error, pattern] of cases) {
      const err = describeNgrokError(error, true);
      assert.ok(err instanceof TunnelError);
      assert.equal(err.exitCode, 7);
      assert.match(err.message, pattern);
      assert.ok(!err.message.includes(TOKEN) && !(err.hint ?? "").includes(TOKEN));
    }
    assert.match(describeNgrokError(withCode("ERR_NGROK_9999"), true).hint ?? "", /--no-ip-allowlist/);
    assert.doesNotMatch(
      describeNgrokError(withCode("ERR_NGROK_9999"), false).hint ?? "",
      /--no-ip-allowlist/,
    );
  });

  test("a rejection from forward() is mapped", async () => {
    const failing: NgrokForward = async () => {
      throw Object.assign(new Error("x"), { errorCode: "ERR_NGROK_107" });
    };
    await assert.rejects(createNgrokTunnel({ env, forward: failing }).start(1), /ERR_NGROK_107/);
  });
});

describe("ngrok adapter with the real SDK, offline", () => {
  test("(a) NGROK_AUTHTOKEN missing → TunnelError quickly", async () => {
    const started = Date.now();
    await assert.rejects(createNgrokTunnel({ env: {} }).start(1234), TunnelError);
    assert.ok(Date.now() - started < 2000);
  });

  test("(b) token set but the ngrok server unreachable (closed loopback port) → TunnelError", async () => {
    const port = await closedPort();
    const tunnel = createNgrokTunnel({ env, serverAddr: `127.0.0.1:${port}`, timeoutMs: 5000 });
    await assert.rejects(tunnel.start(1234), (err: unknown) => {
      assert.ok(err instanceof TunnelError);
      assert.match(err.message, /Could not reach the ngrok service|did not connect/);
      return true;
    });
    await tunnel.close();
  });

  test("an interrupt while the SDK loads rejects at once with its reason, before dialling", async () => {
    const port = await closedPort();
    const tunnel = createNgrokTunnel({ env, serverAddr: `127.0.0.1:${port}`, timeoutMs: 5000 });
    const controller = new AbortController();
    const reason = new Error("interrupted");
    const starting = tunnel.start(1234, controller.signal);
    controller.abort(reason); // start() is now waiting for the SDK's import
    await assert.rejects(starting, (err) => err === reason);
    await tunnel.close();
  });

  test("(c) a server that accepts and never answers → TunnelError at the adapter's timeout", async () => {
    const sockets = new Set<Socket>();
    const silent = createServer((s) => {
      sockets.add(s);
      s.on("error", () => {});
    });
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    const port = (silent.address() as { port: number }).port;
    try {
      const tunnel = createNgrokTunnel({ env, serverAddr: `127.0.0.1:${port}`, timeoutMs: 300 });
      await assert.rejects(tunnel.start(1234), (err: unknown) => {
        assert.ok(err instanceof TunnelError);
        assert.equal(err.code, "ngrok_timeout");
        return true;
      });
      await tunnel.close();
    } finally {
      // Dropping the sockets makes the pending native connect fail, so nothing keeps the process alive.
      for (const s of sockets) s.destroy();
      await new Promise((r) => silent.close(r));
    }
  });
});
