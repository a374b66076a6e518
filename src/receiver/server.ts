// A node:http server with limits fit for a webhook receiver (reliability-checklist items 9 and 23). Node's
// defaults (60 s headers, 300 s request, checked every 30 s) would let slow clients hold sockets for minutes.
// The connection gate (connections.ts) keeps slow or idle sockets from shutting valid deliveries out.
import { once } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { type AddressInfo, isIP } from "node:net";
import { UsageError } from "../errors.js";
import {
  attachConnectionGate,
  type ConnectionGate,
  type ConnectionLimits,
  DEFAULT_CONNECTION_LIMITS,
} from "./connections.js";

export interface ServerLimits extends ConnectionLimits {
  /** Time allowed to receive the request head. Default 5 s. */
  headersTimeoutMs?: number;
  /** Time allowed for the whole request (head and body). Default 10 s. */
  requestTimeoutMs?: number;
  /** Idle keep-alive sockets are closed after this (sooner when the server is full). Default 10 s. */
  keepAliveTimeoutMs?: number;
  /** How often Node enforces the two timeouts above. Default 1 s; tests lower it with the timeouts. */
  connectionsCheckingIntervalMs?: number;
  /** Default 50. */
  maxHeadersCount?: number;
  /** Bytes of request head. Default 16 KiB. */
  maxHeaderSize?: number;
}

export const DEFAULT_LIMITS: Required<ServerLimits> = {
  headersTimeoutMs: 5_000,
  requestTimeoutMs: 10_000,
  keepAliveTimeoutMs: 10_000,
  connectionsCheckingIntervalMs: 1_000,
  maxHeadersCount: 50,
  maxHeaderSize: 16 * 1024,
  ...DEFAULT_CONNECTION_LIMITS,
};

export interface ServerOptions {
  /** Default 127.0.0.1. Any other address (e.g. 0.0.0.0) must be asked for explicitly. */
  host?: string;
  /** Default 0: the OS picks a free port. */
  port?: number;
  limits?: ServerLimits;
}

export interface ReceiverServer {
  server: Server;
  /**
   * Full URL of the hook: `http://127.0.0.1:<port><path>` (the bound address; a wildcard host, 0.0.0.0 or
   * ::, gives its loopback address, 127.0.0.1 or [::1]).
   */
  url: URL;
  /** `http://127.0.0.1:<port>`, with the host as in `url`. */
  origin: string;
  port: number;
  /** The connection gate: open sockets, and what was shed or evicted at the limit (`onReport`). */
  connections: ConnectionGate;
  /** Stops accepting, closes every connection (idle or not) and resolves when the server is closed. Idempotent. */
  close(): Promise<void>;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** Starts a hardened server for `handler`. Bind failures become UsageError naming the address. */
export async function startReceiverServer(
  handler: Handler,
  options: ServerOptions & { path?: string } = {},
): Promise<ReceiverServer> {
  // A limit given as undefined keeps its default: spread as is, it would hand Node undefined (its own lax
  // default: 60 s head timeout, 2000 headers, a check every 30 s) or make the request timeout NaN.
  const given = Object.entries(options.limits ?? {}).filter(([, value]) => value !== undefined);
  const limits: Required<ServerLimits> = { ...DEFAULT_LIMITS, ...Object.fromEntries(given) };
  const host = options.host ?? "127.0.0.1";
  const requestedPort = options.port ?? 0;
  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: Math.max(limits.requestTimeoutMs, limits.headersTimeoutMs),
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      connectionsCheckingInterval: limits.connectionsCheckingIntervalMs,
      maxHeaderSize: limits.maxHeaderSize,
    },
    handler,
  );
  server.maxHeadersCount = limits.maxHeadersCount;
  const connections = attachConnectionGate(server, limits);
  // Malformed requests and head timeouts are answered by Node's default clientError handling (400, 408 or
  // 431, then the socket is destroyed); they never reach the handler and never crash the process.

  // once() rejects on "error" and removes both listeners either way.
  const listening = once(server, "listening");
  // A burst of up to maxConnections senders connecting at once waits in the accept queue, not refused by it.
  server.listen(requestedPort, host, Math.max(511, limits.maxConnections));
  await listening.catch((err: NodeJS.ErrnoException) => {
    throw bindError(err, host, requestedPort);
  });

  const port = (server.address() as AddressInfo).port;
  // Appended, not resolved: a path is never read as a relative reference (e.g. "//host/x" as another host).
  const url = new URL(`http://${clientHost(host)}:${port}${options.path ?? "/"}`);
  // The URL parser's host ("127.1" becomes "127.0.0.1"), so that origin and url name the same host.
  const origin = url.origin;
  let closing: Promise<void> | undefined;
  return {
    server,
    port,
    origin,
    url,
    connections,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        connections.close();
      });
      return closing;
    },
  };
}

/**
 * The address a client on this machine uses to reach a server bound to `host`: a wildcard (0.0.0.0, ::) is
 * no destination, so its loopback address (127.0.0.1, [::1]) stands in for it.
 */
export function clientHost(host: string): string {
  if (isIP(host) === 4) return host === "0.0.0.0" ? "127.0.0.1" : host;
  if (isIP(host) !== 6) return host;
  const bracketed = new URL(`http://[${host}]/`).hostname; // canonical: "::0" and "0:0::0" become "[::]"
  return bracketed === "[::]" ? "[::1]" : bracketed;
}

/** Stable codes of the bind failures, so a caller (the CLI) can add advice in its own terms (--port). */
export const BIND_ERROR_CODES = { inUse: "port_in_use", notAllowed: "port_not_allowed" } as const;

function bindError(err: NodeJS.ErrnoException, host: string, port: number): Error {
  if (err.code === "EADDRINUSE") {
    return new UsageError(`Port ${port} is already in use on ${host}.`, {
      hint: "Listen on another port, or on port 0 to let the system pick a free one.",
      code: BIND_ERROR_CODES.inUse,
      cause: err,
    });
  }
  if (err.code === "EACCES" || err.code === "EPERM") {
    return new UsageError(`Not allowed to listen on ${host} port ${port}.`, {
      hint: "Ports below 1024 need extra privileges; use a higher port, or port 0 for a free one.",
      code: BIND_ERROR_CODES.notAllowed,
      cause: err,
    });
  }
  if (err.code === "EADDRNOTAVAIL") {
    return new UsageError(`Cannot listen on ${host}: the address is not available on this machine.`, {
      cause: err,
    });
  }
  return err;
}
