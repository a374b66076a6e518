// How API calls reach their host: through the proxy named by HTTPS_PROXY / HTTP_PROXY (lower case wins, as
// in curl; NO_PROXY lists the hosts to reach directly), with undici's EnvHttpProxyAgent; a loopback host
// (the sandbox, tests) is always reached directly. An https:// call goes through the proxy as a CONNECT
// tunnel, so the proxy sees the host name and port and never the API key; plain http:// is only accepted
// for loopback base URLs (base-url.ts), which never use the proxy. Redirects are not followed: neither
// request() nor this agent follows them unless asked.

import type { Dispatcher, EnvHttpProxyAgent } from "undici";
import { isLoopbackHost } from "../util/loopback.js";
import { registerSecret } from "../util/redact.js";

interface ProxySettings {
  httpProxy?: string;
  httpsProxy?: string;
  noProxy?: string;
}

const pick = (env: NodeJS.ProcessEnv, name: string): string | undefined =>
  env[name.toLowerCase()] || env[name] || undefined;

/** The proxy settings in the environment (HTTP_PROXY, HTTPS_PROXY, NO_PROXY, each also in lower case). */
export function proxySettings(env: NodeJS.ProcessEnv = process.env): ProxySettings {
  return {
    httpProxy: pick(env, "HTTP_PROXY"),
    httpsProxy: pick(env, "HTTPS_PROXY"),
    noProxy: pick(env, "NO_PROXY"),
  };
}

/** The proxy a request to `target` would be sent to, before NO_PROXY (undici's rule: HTTP_PROXY backs up). */
export function proxyFor(target: URL, settings: ProxySettings): string | undefined {
  if (isLoopbackHost(target.hostname)) return undefined;
  return target.protocol === "https:" ? (settings.httpsProxy ?? settings.httpProxy) : settings.httpProxy;
}

/** A proxy URL fit to show: no user name or password. */
export function shownProxy(proxy: string): string {
  const url = URL.parse(proxy);
  return url ? `${url.protocol}//${url.host}` : "the proxy";
}

/** Credentials in a proxy URL are secrets too: masked in any output. */
function registerProxyCredentials(proxy: string | undefined): void {
  if (!proxy) return;
  try {
    const url = new URL(proxy);
    if (url.password) registerSecret(decodeURIComponent(url.password));
  } catch {
    // undici reports an unusable proxy URL when it is used.
  }
}

const agents = new Map<string, Dispatcher>();

/**
 * The dispatcher for a request to `target`: undefined (a direct connection, directAgent()) for a
 * loopback host or when no proxy is set; else one EnvHttpProxyAgent per proxy configuration, kept for the
 * process so connections to the proxy are reused.
 */
export async function apiDispatcher(
  target: URL,
  env: NodeJS.ProcessEnv = process.env,
  agentOptions: Omit<EnvHttpProxyAgent.Options, keyof ProxySettings> = {},
): Promise<Dispatcher | undefined> {
  const settings = proxySettings(env);
  if (!proxyFor(target, settings)) return undefined;
  const key = JSON.stringify(settings);
  // The whole of undici, only when a proxy is set: its proxy agent opens the CONNECT tunnel with a method
  // that undici's main file adds to every dispatcher (src/util/undici.ts loads only the direct path).
  const { EnvHttpProxyAgent } = await import("undici");
  let agent = agents.get(key);
  if (!agent) {
    registerProxyCredentials(settings.httpProxy);
    registerProxyCredentials(settings.httpsProxy);
    agent = new EnvHttpProxyAgent({ ...agentOptions, ...settings });
    agents.set(key, agent);
  }
  return agent;
}
