// A self-signed certificate for 127.0.0.1 and localhost, made at test time with the openssl command (no key
// is kept in the repository), and an HTTPS server on 127.0.0.1 that presents it.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import type { ServerResponse } from "node:http";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { TestContext } from "node:test";
import { tempDir } from "./cli.js";

export interface SelfSigned {
  cert: string;
  key: string;
}

let made: SelfSigned | undefined;

/** One certificate per test process; fails with a sentence when openssl is not installed. */
export function selfSignedCertificate(): SelfSigned {
  if (made) return made;
  const dir = tempDir("certwh-tls-");
  const [key, cert] = [join(dir, "key.pem"), join(dir, "cert.pem")];
  try {
    execFileSync(
      "openssl",
      ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2"]
        .concat(["-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"])
        .concat(["-keyout", key, "-out", cert]),
      { stdio: "pipe", timeout: 20_000 },
    );
  } catch (err) {
    throw new Error(`these tests need the openssl command to make a self-signed certificate: ${String(err)}`);
  }
  made = { cert: readFileSync(cert, "utf8"), key: readFileSync(key, "utf8") };
  return made;
}

export interface HttpsApp {
  /** https://127.0.0.1:<port> */
  origin: string;
  /** Bodies received, as UTF-8. */
  bodies: string[];
}

/** An HTTPS server on 127.0.0.1 with the self-signed certificate, answering 200 "ok"; closed after the test. */
export async function startHttpsApp(
  t: TestContext,
  respond?: (res: ServerResponse) => void,
): Promise<HttpsApp> {
  const bodies: string[] = [];
  const server = createServer(selfSignedCertificate(), (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      bodies.push(Buffer.concat(chunks).toString("utf8"));
      if (respond) respond(res);
      else res.writeHead(200, { "content-type": "text/plain" }).end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  server.unref();
  t.after(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  return { origin: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, bodies };
}
