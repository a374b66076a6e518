// The @ngrok/ngrok adapter (dependencies.md §4). The SDK is a native binding, so it is imported only inside
// start(). It has no connect timeout (a silent server leaves forward() pending forever) and does not check for
// a token before dialling, so both checks live here. forward() is used, never listen(server), which would print
// and install its own signal handlers.
import type { Config, Listener } from "@ngrok/ngrok";
import { TunnelError } from "../errors.js";
import { DIGICERT_SOURCE_RANGE } from "../util/cidr.js";
import { registerSecret } from "../util/redact.js";
import { StatusListeners, type Tunnel } from "./tunnel.js";

export type NgrokForward = (config: Config) => Promise<Pick<Listener, "url" | "close">>;

interface NgrokTunnelOptions {
  /** Where NGROK_AUTHTOKEN is read. Default process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Injected in tests; default: the SDK's forward, imported lazily. */
  forward?: NgrokForward;
  /** Give up on forward() after this long. Default 20 s. */
  timeoutMs?: number;
  /** A reserved ngrok domain (avoids URL changes on reconnect). */
  domain?: string;
  /** Admit only DigiCert's range at ngrok's edge (default true; false: --no-ip-allowlist). */
  ipAllowlist?: boolean;
  /** The ngrok ingress to dial. Only for tests and custom ingresses. */
  serverAddr?: string;
}

const DEFAULT_NGROK_TIMEOUT_MS = 20_000;
const TOKEN_PAGE = "https://dashboard.ngrok.com/get-started/your-authtoken";

/** Builds the options passed to forward(), without the token (start() decides how the SDK gets it). */
function ngrokForwardConfig(
  port: number,
  options: Pick<NgrokTunnelOptions, "domain" | "ipAllowlist" | "serverAddr">,
  onStatusChange: (status: string) => void,
): Config {
  const config: Config = { addr: `127.0.0.1:${port}`, authtoken_from_env: true, onStatusChange };
  if (options.domain) config.domain = options.domain;
  if (options.ipAllowlist !== false) config.ip_restriction_allow_cidrs = [DIGICERT_SOURCE_RANGE];
  if (options.serverAddr) config.server_addr = options.serverAddr;
  return config;
}

/** Turns an SDK failure into a TunnelError with a plain sentence and a hint; never includes the token. */
export function describeNgrokError(error: unknown, usesIpAllowlist: boolean): TunnelError {
  const errorCode = (error as { errorCode?: unknown } | null | undefined)?.errorCode;
  const code = typeof errorCode === "string" ? errorCode : "";
  const message = error instanceof Error ? error.message : String(error);
  const details = (hint: string) => ({ hint, code: code || "tunnel", cause: error });
  switch (code) {
    case "ERR_NGROK_105":
    case "ERR_NGROK_106":
    case "ERR_NGROK_107":
      return new TunnelError(
        `ngrok refused the authtoken in NGROK_AUTHTOKEN (${code}).`,
        details(`Copy a current token from ${TOKEN_PAGE}.`),
      );
    case "ERR_NGROK_4018":
      return new TunnelError(
        `ngrok needs a verified account and an authtoken (${code}).`,
        details(`Sign up, then set NGROK_AUTHTOKEN from ${TOKEN_PAGE}.`),
      );
    case "ERR_NGROK_108":
      return new TunnelError(
        `Your ngrok account already runs as many agent sessions as it allows (${code}).`,
        details("Stop the other ngrok agent, or use --public-url with a tunnel you run yourself."),
      );
  }
  if (code.startsWith("ERR_NGROK_")) {
    const allowlistHint = usesIpAllowlist
      ? " If it concerns the IP restriction, your plan may not allow it: --no-ip-allowlist turns it off (less safe)."
      : "";
    return new TunnelError(
      `ngrok refused to open the tunnel (${code}).`,
      details(`See https://ngrok.com/docs/errors/${code.toLowerCase()}/.${allowlistHint}`),
    );
  }
  if (/failed to connect session|tcp connection|tls handshake|dns|resolve/i.test(message)) {
    return new TunnelError(
      "Could not reach the ngrok service.",
      details("Check the network connection (proxy, firewall, DNS) and NGROK_AUTHTOKEN, then try again."),
    );
  }
  return new TunnelError(
    "ngrok failed to start the tunnel.",
    details("Check the network connection and NGROK_AUTHTOKEN; --verbose shows the cause."),
  );
}

export function createNgrokTunnel(options: NgrokTunnelOptions = {}): Tunnel {
  const env = options.env ?? process.env;
  const timeoutMs = options.timeoutMs ?? DEFAULT_NGROK_TIMEOUT_MS;
  const usesIpAllowlist = options.ipAllowlist !== false;
  const listeners = new StatusListeners();
  let listener: Pick<Listener, "url" | "close"> | undefined;
  let started = false;
  let closed = false;

  const currentUrl = (): URL | undefined => {
    const text = listener?.url();
    return text ? new URL(text) : undefined;
  };

  async function start(localPort: number, signal?: AbortSignal): Promise<URL> {
    if (started) throw new TunnelError("This ngrok tunnel was already started.");
    started = true;
    signal?.throwIfAborted();
    const token = env.NGROK_AUTHTOKEN?.trim();
    if (!token) {
      throw new TunnelError("NGROK_AUTHTOKEN is not set, so ngrok cannot open a tunnel.", {
        hint: `Get a token from ${TOKEN_PAGE} and export NGROK_AUTHTOKEN, or use --public-url with your own tunnel.`,
        code: "ngrok_authtoken_missing",
      });
    }
    registerSecret(token);
    const config = ngrokForwardConfig(localPort, options, (status) => {
      if (status === "closed" || status === "connected") listeners.emit({ state: status, url: currentUrl() });
    });
    // The SDK reads the token from process.env; an injected env that differs is passed explicitly.
    if (process.env.NGROK_AUTHTOKEN?.trim() !== token) {
      delete config.authtoken_from_env;
      config.authtoken = token;
    }

    const forward = options.forward ?? (await import("@ngrok/ngrok")).forward;
    // An interrupt while the SDK loaded: its listener below would never fire, so stop before dialling.
    signal?.throwIfAborted();
    const pending = forward(config);
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const stop = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(
          new TunnelError(`ngrok did not connect within ${Math.round(timeoutMs / 1000)} s.`, {
            hint: "Check the network connection (proxy, firewall, DNS) and NGROK_AUTHTOKEN, then try again.",
            code: "ngrok_timeout",
          }),
        );
      }, timeoutMs);
      onAbort = () => reject(signal?.reason ?? new Error("aborted"));
      signal?.addEventListener("abort", onAbort, { once: true });
    });
    try {
      listener = await Promise.race([pending, stop]);
    } catch (error) {
      // A forward() that settles after we gave up must not leave a tunnel open.
      pending.then((late) => late.close()).catch(() => {});
      if (error instanceof TunnelError || signal?.aborted) throw error;
      throw describeNgrokError(error, usesIpAllowlist);
    } finally {
      clearTimeout(timer);
      if (onAbort) signal?.removeEventListener("abort", onAbort);
    }
    if (closed) {
      await listener.close().catch(() => {});
      throw new TunnelError("The ngrok tunnel was closed while starting.");
    }
    const url = currentUrl();
    if (!url) throw new TunnelError("ngrok opened a tunnel without a public URL.");
    return url;
  }

  return {
    description: options.domain ? `ngrok (${options.domain})` : "ngrok",
    start,
    onStatus: (listener) => listeners.add(listener),
    async close() {
      if (closed) return;
      closed = true;
      listeners.clear();
      await listener?.close().catch(() => {});
    },
  };
}
