// A connection gate for a node:http server (issue 11, cases 2 and 15): a cap on open sockets that protects
// good senders instead of locking them out. A socket with no request in flight (a slow head being dribbled, or
// an idle keep-alive) is worth less than a new connection: when the server is full, the oldest such socket is
// closed to make room. Only when every socket is busy is the newcomer refused, and then with an HTTP answer
// (503 + Retry-After) rather than a reset, so a sender knows to retry. Node's own `server.maxConnections`
// drops the newest socket without a word, which is how 64 slow sockets shut every delivery out.
import type { Server } from "node:http";
import type { Socket } from "node:net";

export interface ConnectionLimits {
  /** Open sockets in total. When full: the oldest idle one is closed, else the newcomer gets 503. Default 1,024. */
  maxConnections?: number;
  /** Open sockets per peer address (0: no per-peer limit; off behind a tunnel, where every peer is loopback). Default 64. */
  maxConnectionsPerPeer?: number;
  /**
   * A socket that has not yet sent a whole request (a slow head) for this long may be closed to make room.
   * Default 250 ms. A keep-alive socket between two requests must be idle 1 s at least: closing one races
   * the sender's next request on it.
   */
  evictIdleAfterMs?: number;
}

export const DEFAULT_CONNECTION_LIMITS: Required<ConnectionLimits> = {
  maxConnections: 1024,
  maxConnectionsPerPeer: 64,
  evictIdleAfterMs: 250,
};

/** What happened at the limit since the last report (at most one report per second). */
export interface ConnectionReport {
  /** Connections refused with 503 + Retry-After: 1 (every open socket had a request in flight). */
  shed: number;
  /** Idle or slow connections (no request in flight) closed to make room for new ones. */
  evicted: number;
  /** Sockets open when the report was made. */
  open: number;
  maxConnections: number;
  maxConnectionsPerPeer: number;
}

export interface ConnectionGate {
  /** Sockets admitted and still open. */
  readonly open: number;
  /** Totals since the gate was attached. */
  readonly stats: Readonly<{ admitted: number; shed: number; evicted: number }>;
  /** Called with what happened at the limit, at most once per second while it happens. */
  onReport(listener: (report: ConnectionReport) => void): () => void;
  /** Reports what is pending and closes the refused sockets still lingering. Idempotent. */
  close(): void;
}

/** The least idle time before a keep-alive socket (one that has been answered) may be closed to make room. */
const KEEP_ALIVE_EVICT_MS = 1_000;
/** Time a refused socket gets to send its request and read the 503 before it is closed regardless. */
const SHED_LINGER_MS = 1_000;
const REPORT_INTERVAL_MS = 1_000;
const SHED_TEXT = "service unavailable: too many connections, retry shortly\n";
const SHED_RESPONSE = Buffer.from(
  "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Type: text/plain; charset=utf-8\r\n" +
    `Content-Length: ${Buffer.byteLength(SHED_TEXT)}\r\nConnection: close\r\n\r\n${SHED_TEXT}`,
  "latin1",
);

interface Conn {
  readonly socket: Socket;
  readonly peer: string;
  /** Requests whose response has not closed yet. */
  active: number;
  /** Requests answered on this socket. */
  served: number;
  /** When the socket last had no request in flight (connect time to start with). */
  idleSince: number;
}

/**
 * Puts the gate between `server` and its sockets: Node's HTTP parser only ever sees admitted sockets. Call it
 * on a node:http server (not https) before it accepts connections.
 */
export function attachConnectionGate(server: Server, limits: ConnectionLimits = {}): ConnectionGate {
  return new Gate(server, { ...DEFAULT_CONNECTION_LIMITS, ...withoutUndefined(limits) });
}

function withoutUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

class Gate implements ConnectionGate {
  /** In connection order: the first idle one found is the oldest. */
  private readonly conns = new Map<Socket, Conn>();
  private readonly byPeer = new Map<string, Set<Conn>>();
  private readonly lingering = new Set<Socket>();
  private readonly listeners = new Set<(report: ConnectionReport) => void>();
  private readonly totals = { admitted: 0, shed: 0, evicted: 0 };
  private window = { shed: 0, evicted: 0 };
  private reportTimer: NodeJS.Timeout | undefined;

  constructor(
    server: Server,
    private readonly limits: Required<ConnectionLimits>,
  ) {
    // Node's HTTP connection listener, called for admitted sockets only.
    const http = server.listeners("connection") as ((socket: Socket) => void)[];
    server.removeAllListeners("connection");
    server.on("connection", (socket: Socket) => {
      if (!this.admit(socket)) return;
      for (const listener of http) listener.call(server, socket);
    });
    server.prependListener("request", (req, res) => {
      const conn = this.conns.get(req.socket);
      if (!conn) return;
      conn.active++;
      res.once("close", () => {
        conn.active--;
        conn.served++;
        conn.idleSince = performance.now();
      });
    });
    // A backstop for floods: refused sockets linger up to 2 s each; beyond this Node drops new ones outright.
    server.maxConnections = Math.max(limits.maxConnections * 2, limits.maxConnections + 64);
  }

  get open(): number {
    return this.conns.size;
  }

  get stats() {
    return { ...this.totals };
  }

  onReport(listener: (report: ConnectionReport) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    if (this.reportTimer) this.report();
    for (const socket of this.lingering) socket.destroy();
    this.lingering.clear();
  }

  private admit(socket: Socket): boolean {
    const peer = socket.remoteAddress ?? "";
    const { maxConnections, maxConnectionsPerPeer } = this.limits;
    const mine = maxConnectionsPerPeer > 0 ? this.byPeer.get(peer) : undefined;
    const full =
      (mine && mine.size >= maxConnectionsPerPeer && !this.evictOldestIdle(mine.values())) ||
      (this.conns.size >= maxConnections && !this.evictOldestIdle(this.conns.values()));
    if (full) {
      this.shed(socket);
      return false;
    }
    const conn: Conn = { socket, peer, active: 0, served: 0, idleSince: performance.now() };
    this.conns.set(socket, conn);
    if (maxConnectionsPerPeer > 0) {
      const set = this.byPeer.get(peer) ?? new Set();
      this.byPeer.set(peer, set);
      set.add(conn);
    }
    this.totals.admitted++;
    socket.once("close", () => this.forget(conn));
    return true;
  }

  private forget(conn: Conn): void {
    if (this.conns.get(conn.socket) !== conn) return;
    this.conns.delete(conn.socket);
    const set = this.byPeer.get(conn.peer);
    set?.delete(conn);
    if (set?.size === 0) this.byPeer.delete(conn.peer);
  }

  /** Closes the oldest socket with nothing in flight for long enough; false when there is none. */
  private evictOldestIdle(candidates: Iterable<Conn>): boolean {
    const now = performance.now();
    const slowDue = now - this.limits.evictIdleAfterMs;
    const keptAliveDue = now - Math.max(this.limits.evictIdleAfterMs, KEEP_ALIVE_EVICT_MS);
    for (const conn of candidates) {
      if (conn.active > 0 || conn.idleSince > (conn.served === 0 ? slowDue : keptAliveDue)) continue;
      this.forget(conn);
      conn.socket.destroy();
      this.totals.evicted++;
      this.window.evicted++;
      this.scheduleReport();
      return true;
    }
    return false;
  }

  /**
   * 503 + Retry-After once the request starts to arrive (an answer before any request would confuse clients),
   * then the rest is read and dropped until the sender closes: closing with unread bytes would send a reset
   * that can destroy the 503 before the sender reads it.
   */
  private shed(socket: Socket): void {
    this.totals.shed++;
    this.window.shed++;
    this.scheduleReport();
    this.lingering.add(socket);
    const timer = setTimeout(() => socket.destroy(), SHED_LINGER_MS).unref();
    socket.on("error", () => undefined);
    socket.once("close", () => {
      clearTimeout(timer);
      this.lingering.delete(socket);
    });
    socket.on("data", () => {
      if (socket.writableEnded) return;
      socket.end(SHED_RESPONSE);
      timer.refresh(); // the linger starts again once the answer is sent
    });
    socket.once("end", () => {
      if (!socket.writableEnded) socket.destroy();
    });
  }

  private scheduleReport(): void {
    this.reportTimer ??= setTimeout(() => this.report(), REPORT_INTERVAL_MS).unref();
  }

  private report(): void {
    clearTimeout(this.reportTimer);
    this.reportTimer = undefined;
    const report: ConnectionReport = {
      ...this.window,
      open: this.conns.size,
      maxConnections: this.limits.maxConnections,
      maxConnectionsPerPeer: this.limits.maxConnectionsPerPeer,
    };
    this.window = { shed: 0, evicted: 0 };
    for (const listener of this.listeners) {
      try {
        listener(report);
      } catch {
        // A subscriber's bug must not break the server.
      }
    }
  }
}
