// The tunnel seam: how certwh gets a public URL that reaches the local receiver. `listen` only sees this
// interface, so tests use a fake and the ngrok SDK (a native binding) loads only when really needed.

export interface TunnelStatus {
  state: "connected" | "closed";
  /** The public base URL when known (it can change after a reconnect). */
  url?: URL;
  /** Why it closed, when the adapter knows (e.g. the URL file holds no valid URL). Never holds secrets. */
  reason?: string;
}

export interface Tunnel {
  /** Human label for messages, e.g. "ngrok", "your tunnel at https://hooks.example.com". Never holds secrets. */
  readonly description: string;
  /**
   * Opens the tunnel to 127.0.0.1:<localPort> and resolves with the public BASE URL (origin plus any prefix);
   * callers append the receiver path with `joinPublicUrl`. Rejects with TunnelError, or with the signal's reason
   * when aborted.
   */
  start(localPort: number, signal?: AbortSignal): Promise<URL>;
  /** Status changes after start (drops and reconnects). Returns an unsubscribe function. */
  onStatus(listener: (status: TunnelStatus) => void): () => void;
  /** Idempotent. */
  close(): Promise<void>;
}

/** `https://x.example/prefix` + `/hook/abc` → `https://x.example/prefix/hook/abc` (query and hash dropped). */
export function joinPublicUrl(base: URL, path: string): URL {
  const url = new URL(base.href);
  url.pathname = `${url.pathname.replace(/\/+$/, "")}/${path.replace(/^\/+/, "")}`;
  url.search = "";
  url.hash = "";
  return url;
}

/** Small listener registry shared by the adapters. */
export class StatusListeners {
  private readonly listeners = new Set<(status: TunnelStatus) => void>();
  add(listener: (status: TunnelStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  emit(status: TunnelStatus): void {
    for (const listener of this.listeners) {
      try {
        listener(status);
      } catch {
        // A subscriber's bug must not break the tunnel.
      }
    }
  }
  clear(): void {
    this.listeners.clear();
  }
}
