// What the forwarder and its backlog both speak of, in a module of its own so neither imports the other.

export interface Delivery {
  /** The journal id (SHA-256 prefix of the body), to tie results to events. */
  id: string;
  event: string;
  body: Buffer | string;
  /** When listen received it (the journal's `received_at`): a replay command for it says `--since` this. */
  receivedAt?: string;
  headers: {
    "content-type"?: string;
    "user-agent"?: string;
    "x-webhook-key"?: string;
  };
}

export interface ForwardResult {
  id: string;
  event: string;
  url: string;
  /** 1-based attempt number. */
  attempt: number;
  ok: boolean;
  /** HTTP status when the app answered. */
  status?: number;
  /** Duration of this attempt in milliseconds (from the injected clock). */
  ms: number;
  /** Why the attempt failed, when it did and there is no status (e.g. "ECONNREFUSED", "timeout"). */
  error?: string;
  /** No further attempt will be made for this delivery (success, final failure, or forwarder closed). */
  final: boolean;
  /** When not final: the wait before the next attempt. */
  retryInMs?: number;
  /** When the app answered other than 2xx: the start of its answer, exactly (not escaped for a terminal). */
  responseBody?: string;
  /** With responseBody: the answer was longer than what is kept (512 bytes). */
  responseTruncated?: boolean;
}
