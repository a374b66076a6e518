// Raw HTTP over one TCP connection, for requests fetch cannot or will not build: dribbled headers
// (slowloris), lying lengths, huge bodies sent in chunks, any method, broken headers, non-UTF-8 bytes.
// Every wait is bounded by the deadline.
import { connect, type Socket } from "node:net";
import { sleep } from "./wait.js";

export interface RawExchange {
  /** Everything the server sent back, as latin1 text. */
  response: string;
  /** The first response head (latin1, without the blank line), and the bytes after it. */
  head: string;
  body: Buffer;
  /** Status code of the first response line, or undefined when nothing parseable came back. */
  status?: number;
  /** True when the server closed (or reset) the connection before our deadline. */
  closedByServer: boolean;
  /** Bytes we managed to write before stopping. */
  bytesWritten: number;
  /** Milliseconds from connect to close (or to the deadline). */
  elapsedMs: number;
  error?: string;
}

export interface RawSendOptions {
  port: number;
  host?: string;
  /** Source address to connect from (e.g. 127.0.0.2, another loopback peer on Linux). */
  localAddress?: string;
  /** Pieces written one after another. */
  chunks: (string | Buffer)[];
  /** Pause between pieces. Default 0. */
  delayMs?: number;
  /** Stop waiting after this long (and destroy the socket). Default 5000. */
  deadlineMs?: number;
  /** Stop writing once the server has answered (default true). */
  stopOnResponse?: boolean;
  /** Half-close our side after the last piece (a client that stops sending mid-body). Default false. */
  endAfterWrite?: boolean;
}

/** Splits text into one-byte pieces, for slowloris tests. */
export function bytewise(text: string): string[] {
  return [...Buffer.from(text, "latin1")].map((b) => String.fromCharCode(b));
}

export function rawSend(options: RawSendOptions): Promise<RawExchange> {
  const started = Date.now();
  return new Promise((resolve) => {
    const socket: Socket = connect({
      port: options.port,
      host: options.host ?? "127.0.0.1",
      localAddress: options.localAddress,
    });
    const received: Buffer[] = [];
    let bytesWritten = 0;
    let finished = false;
    let closedByServer = false;
    let error: string | undefined;

    const finish = () => {
      if (finished) return;
      finished = true;
      clearTimeout(deadline);
      socket.destroy();
      const raw = Buffer.concat(received);
      const response = raw.toString("latin1");
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(response);
      const split = raw.indexOf("\r\n\r\n");
      resolve({
        response,
        head: (split >= 0 ? raw.subarray(0, split) : raw).toString("latin1"),
        body: split >= 0 ? raw.subarray(split + 4) : Buffer.alloc(0),
        status: match ? Number(match[1]) : undefined,
        closedByServer,
        bytesWritten,
        elapsedMs: Date.now() - started,
        error,
      });
    };
    const deadline = setTimeout(finish, options.deadlineMs ?? 5000);

    socket.on("data", (chunk) => received.push(chunk));
    socket.on("error", (err: NodeJS.ErrnoException) => {
      error = err.code ?? err.message;
      closedByServer = true;
      finish();
    });
    socket.on("close", () => {
      closedByServer = true;
      finish();
    });
    socket.on("end", () => {
      closedByServer = true;
    });

    socket.once("connect", async () => {
      for (const chunk of options.chunks) {
        if (finished || socket.destroyed || socket.writableEnded) break;
        if ((options.stopOnResponse ?? true) && received.length > 0) break;
        const ok = socket.write(chunk);
        bytesWritten += Buffer.byteLength(chunk);
        if (!ok) await new Promise<void>((r) => socket.once("drain", r).once("close", r));
        if (options.delayMs) await sleep(options.delayMs);
      }
      if (options.endAfterWrite && !finished && !socket.destroyed) socket.end();
    });
  });
}
