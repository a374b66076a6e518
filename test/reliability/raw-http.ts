// A raw HTTP/1.1 exchange over one TCP connection, for requests fetch refuses to build (any method, broken
// headers, lying lengths, non-UTF-8 bytes). Every wait is bounded by `deadlineMs`.
import { connect } from "node:net";

export interface RawResponse {
  /** Status of the first response line; undefined when the server closed without answering. */
  status?: number;
  /** Response head (latin1) and body bytes. */
  head: string;
  body: Buffer;
  /** The server closed the connection (or reset it) before our deadline. */
  closed: boolean;
  elapsedMs: number;
}

export interface RawRequest {
  port: number;
  /** Everything up to and including the blank line. */
  head: string | Buffer;
  body?: Buffer;
  /** Half-close our side after writing (a client that stops sending mid-body). Default false. */
  endAfterWrite?: boolean;
  deadlineMs?: number;
}

export function rawExchange(req: RawRequest): Promise<RawResponse> {
  const started = Date.now();
  return new Promise((resolve) => {
    const socket = connect({ port: req.port, host: "127.0.0.1" });
    const chunks: Buffer[] = [];
    let closed = false;
    let settled = false;
    const finish = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const raw = Buffer.concat(chunks);
      const split = raw.indexOf("\r\n\r\n");
      const head = (split >= 0 ? raw.subarray(0, split) : raw).toString("latin1");
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(head);
      resolve({
        status: match ? Number(match[1]) : undefined,
        head,
        body: split >= 0 ? raw.subarray(split + 4) : Buffer.alloc(0),
        closed,
        elapsedMs: Date.now() - started,
      });
    };
    const timer = setTimeout(finish, req.deadlineMs ?? 5000);
    socket.on("data", (c) => chunks.push(c));
    socket.on("error", () => {
      closed = true;
      finish();
    });
    socket.on("close", () => {
      closed = true;
      finish();
    });
    socket.once("connect", () => {
      socket.write(req.head);
      if (req.body && req.body.length > 0) socket.write(req.body);
      if (req.endAfterWrite) socket.end();
    });
  });
}

/** The first HTTP response in `raw` latin1 text, for servers answering one request per connection. */
export function statusOf(head: string): number | undefined {
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(head);
  return match ? Number(match[1]) : undefined;
}
