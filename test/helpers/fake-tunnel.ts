// A Tunnel for tests: hands out http://127.0.0.1:<port> (the local receiver), records how it was started,
// and lets the test drop, reconnect and move the tunnel on command.
import { StatusListeners, type Tunnel, type TunnelStatus } from "../../src/tunnel/tunnel.js";

export interface FakeTunnelOptions {
  /** Base URL to hand out instead of the local one (e.g. to simulate another host). */
  url?: string;
  /** Make start() fail with this error. */
  failWith?: Error;
  description?: string;
}

export class FakeTunnel implements Tunnel {
  readonly description: string;
  readonly starts: { localPort: number; hadSignal: boolean }[] = [];
  closeCalls = 0;
  private readonly listeners = new StatusListeners();
  private current?: URL;

  constructor(private readonly options: FakeTunnelOptions = {}) {
    this.description = options.description ?? "fake tunnel";
  }

  get url(): URL | undefined {
    return this.current;
  }

  async start(localPort: number, signal?: AbortSignal): Promise<URL> {
    this.starts.push({ localPort, hadSignal: signal !== undefined });
    signal?.throwIfAborted();
    if (this.options.failWith) throw this.options.failWith;
    this.current = new URL(this.options.url ?? `http://127.0.0.1:${localPort}`);
    return new URL(this.current.href);
  }

  onStatus(listener: (status: TunnelStatus) => void): () => void {
    return this.listeners.add(listener);
  }

  /** Simulates a drop. */
  drop(): void {
    this.listeners.emit({ state: "closed", url: this.current });
  }

  /** Simulates a reconnect, optionally on a new base URL. */
  reconnect(newUrl?: string): void {
    if (newUrl) this.current = new URL(newUrl);
    this.listeners.emit({ state: "connected", url: this.current && new URL(this.current.href) });
  }

  async close(): Promise<void> {
    this.closeCalls++;
    this.listeners.clear();
  }
}
