// The parts of undici that certwh's HTTP calls use, loaded from their own files. undici's main file loads
// all of undici (fetch, WebSocket, caches, mock agents): on Node 20 that is about 130 ms of a 300 ms
// `certwh status`, where these files take about 50. The paths are undici's, not a public API: package.json
// pins undici to one minor line (~7.30), and every API test and the Node matrix check load them.

import type { Agent as AgentClass, Dispatcher } from "undici";
import apiRequest from "undici/lib/api/api-request.js";
import AgentFile from "undici/lib/dispatcher/agent.js";

export type { Dispatcher };
export const Agent: typeof AgentClass = AgentFile;
export type Agent = AgentClass;

let direct: Agent | undefined;
/** The agent for direct connections, shared by the process (undici's default agent, made here). */
export function directAgent(): Agent {
  direct ??= new Agent();
  return direct;
}

type Options = Omit<Dispatcher.RequestOptions, "origin" | "path" | "headers"> & {
  dispatcher: Dispatcher;
  headers?: Record<string, string>;
};

/**
 * One request through `dispatcher` (undici's `request(url, options)`, without its global agent). A user name
 * and password in `url` (basic auth for the user's app) are sent as Authorization, as curl and node:http do;
 * undici would drop them.
 */
export function request(
  url: URL,
  { dispatcher, headers, ...options }: Options,
): Promise<Dispatcher.ResponseData> {
  const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  const auth =
    url.username || url.password
      ? { authorization: `Basic ${Buffer.from(credentials).toString("base64")}` }
      : {};
  return apiRequest.call(dispatcher, {
    ...options,
    headers: { ...auth, ...headers },
    origin: url.origin,
    path: `${url.pathname}${url.search}`,
  });
}
