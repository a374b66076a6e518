import { connect, createServer } from "node:net";

/** True when nothing accepts connections at the URL's host and port any more (a server was closed). */
export function portClosed(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(true));
  });
}

/** Binds `port` (0: any) on 127.0.0.1 and closes it again; the port it got, or undefined when taken. */
async function tryPort(port: number): Promise<number | undefined> {
  const server = createServer();
  const bound = await new Promise<boolean>((resolve) => {
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => resolve(true));
  });
  if (!bound) return undefined;
  const { port: got } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return got;
}

/**
 * A port that was free a moment ago (for --port together with --public-url http://127.0.0.1:<port>). Taken
 * below Linux's ephemeral range (32768 and up), where other processes' port-0 binds and outgoing connections
 * do not land, so it is still free when the test uses it; port 0's pick if none of 50 tries is free.
 */
export async function freePort(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = await tryPort(20_000 + Math.floor(Math.random() * 12_000));
    if (port !== undefined) return port;
  }
  return (await tryPort(0)) as number;
}

/** `--port P --public-url http://127.0.0.1:P`: a listen reachable on loopback as if through a tunnel. */
export async function loopbackPublicArgs(): Promise<string[]> {
  const port = await freePort();
  return ["--port", String(port), "--public-url", `http://127.0.0.1:${port}`];
}
