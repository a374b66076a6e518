import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import {
  certificateChain,
  INTERMEDIATE_COMMON_NAME,
  LEAF_COMMON_NAME,
  ROOT_COMMON_NAME,
} from "../../src/events/fixtures/chain.js";
import { SaveChainError, saveChain } from "../../src/listen/save-chain.js";

const root = mkdtempSync(join(tmpdir(), "certwh-chain-"));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = () => join(root, `case-${++n}`, "certs");

const issued = (orderId: unknown, chain: unknown = certificateChain()) => ({
  event: "certificate_issued",
  data: { order_id: orderId, certificate_id: 471270113, certificate_chain: chain },
});

/** Split a PEM bundle into certificates (each ends with its END line and a newline). */
function certs(text: string): X509Certificate[] {
  return (text.match(/-----BEGIN CERTIFICATE-----\n[^-]+-----END CERTIFICATE-----\n/g) ?? []).map(
    (pem) => new X509Certificate(pem),
  );
}
const cn = (c: X509Certificate) => /CN=([^\n]+)/.exec(c.subject)?.[1];

test("writes cert.pem, chain.pem (intermediates), fullchain.pem (leaf + intermediates) and root.pem, with \\n endings", async () => {
  assert.ok(
    certificateChain().every((c) => c.pem.includes("\r\n")),
    "the fixture uses CertCentral's \\r\\n",
  );
  const dir = fresh();
  const saved = await saveChain(dir, issued(470091052));
  const orderDir = join(dir, "470091052");
  assert.deepEqual(saved, {
    dir: orderDir,
    files: ["cert.pem", "chain.pem", "fullchain.pem", "root.pem"].map((f) => join(orderDir, f)),
  });
  const [cert, chain, full, rootPem] = ["cert.pem", "chain.pem", "fullchain.pem", "root.pem"].map((f) =>
    readFileSync(join(orderDir, f), "utf8"),
  );
  for (const text of [cert, chain, full, rootPem] as string[]) {
    assert.equal(text.includes("\r"), false);
    assert.equal(text.endsWith("-----END CERTIFICATE-----\n"), true);
    assert.equal(text.includes("\n\n"), false);
  }
  assert.deepEqual(certs(cert as string).map(cn), [LEAF_COMMON_NAME]);
  // The certbot/nginx/Apache convention: the root is not in what a server sends.
  assert.deepEqual(certs(chain as string).map(cn), [INTERMEDIATE_COMMON_NAME]);
  assert.equal(full, (cert as string) + (chain as string));
  assert.deepEqual(certs(full as string).map(cn), [LEAF_COMMON_NAME, INTERMEDIATE_COMMON_NAME]);
  assert.deepEqual(certs(rootPem as string).map(cn), [ROOT_COMMON_NAME]);
  const [leaf, intermediate] = certs(full as string) as [X509Certificate, X509Certificate];
  const [rootCa] = certs(rootPem as string) as [X509Certificate];
  assert.equal(rootCa.checkIssued(rootCa), true, "root.pem is self-signed");
  assert.equal(leaf.checkIssued(intermediate), true);
  assert.equal(intermediate.checkIssued(rootCa), true);
  assert.equal(leaf.verify(intermediate.publicKey), true);
});

test("files are 0644 and directories 0755 whatever the umask; rewriting leaves no temp files", async () => {
  const previous = process.umask(0o077);
  try {
    const dir = fresh();
    await saveChain(dir, issued(12));
    await saveChain(dir, issued(12)); // a re-issue overwrites atomically
    const orderDir = join(dir, "12");
    assert.equal(statSync(dir).mode & 0o777, 0o755);
    assert.equal(statSync(orderDir).mode & 0o777, 0o755);
    assert.deepEqual(readdirSync(orderDir).sort(), ["cert.pem", "chain.pem", "fullchain.pem", "root.pem"]);
    for (const f of readdirSync(orderDir)) assert.equal(statSync(join(orderDir, f)).mode & 0o777, 0o644);
  } finally {
    process.umask(previous);
  }
});

test("a leaf-only chain gives an empty chain.pem and no root.pem", async () => {
  const dir = fresh();
  const saved = await saveChain(dir, issued(5, certificateChain().slice(0, 1)));
  assert.equal(saved?.files.length, 3);
  assert.equal(readFileSync(join(dir, "5", "chain.pem"), "utf8"), "");
  assert.equal(
    readFileSync(join(dir, "5", "fullchain.pem"), "utf8"),
    readFileSync(join(dir, "5", "cert.pem"), "utf8"),
  );
  assert.equal(existsSync(join(dir, "5", "root.pem")), false);
});

test("a chain without its root: no root.pem, and a stale one from an earlier issuance is removed", async () => {
  const dir = fresh();
  await saveChain(dir, issued(6));
  assert.equal(existsSync(join(dir, "6", "root.pem")), true);
  const saved = await saveChain(dir, issued(6, certificateChain().slice(0, 2)));
  assert.deepEqual(
    saved?.files,
    ["cert.pem", "chain.pem", "fullchain.pem"].map((f) => join(dir, "6", f)),
  );
  assert.deepEqual(readdirSync(join(dir, "6")).sort(), ["cert.pem", "chain.pem", "fullchain.pem"]);
  assert.deepEqual(certs(readFileSync(join(dir, "6", "chain.pem"), "utf8")).map(cn), [
    INTERMEDIATE_COMMON_NAME,
  ]);
  assert.deepEqual(certs(readFileSync(join(dir, "6", "fullchain.pem"), "utf8")).map(cn), [
    LEAF_COMMON_NAME,
    INTERMEDIATE_COMMON_NAME,
  ]);
});

test("order_id must be a positive integer: nothing from the payload becomes a path", async () => {
  const dir = fresh();
  const bad = [
    "../../etc",
    "..",
    "12/34",
    "/tmp/x",
    -1,
    0,
    1.5,
    "012",
    "",
    null,
    undefined,
    2 ** 60,
    "1e3",
    { a: 1 },
  ];
  for (const orderId of bad) {
    await assert.rejects(saveChain(dir, issued(orderId)), SaveChainError, String(orderId));
  }
  assert.equal(existsSync(dir), false, "nothing was created");
  // A decimal string is accepted as the integer it is.
  const saved = await saveChain(dir, issued("42"));
  assert.equal(saved?.dir, join(dir, "42"));
});

test("a symlink planted at the order directory is refused", async () => {
  const dir = fresh();
  const elsewhere = join(root, `elsewhere-${n}`);
  mkdirSync(elsewhere);
  mkdirSync(dir, { recursive: true });
  symlinkSync(elsewhere, join(dir, "77"));
  await assert.rejects(saveChain(dir, issued(77)), SaveChainError);
  assert.deepEqual(readdirSync(elsewhere), []);
});

test("other events, and certificate_issued without a chain, write nothing", async () => {
  const dir = fresh();
  assert.equal(
    await saveChain(dir, { event: "certificate_revoked", data: { order_id: 1, certificate_id: 2 } }),
    null,
  );
  assert.equal(
    await saveChain(dir, { event: "certificate_issued", data: { order_id: 1, certificate_id: 2 } }),
    null,
  );
  assert.equal(await saveChain(dir, issued(1, [])), null);
  assert.equal(await saveChain(dir, { event: "test_webhook_endpoint" }), null);
  assert.equal(await saveChain(dir, null), null);
  assert.equal(existsSync(dir), false);
});

test("a chain entry that is not one certificate is refused before anything is written", async () => {
  const dir = fresh();
  const [leaf, inter] = certificateChain() as unknown as [{ pem: string }, { pem: string }];
  const cases: unknown[] = [
    [leaf, { pem: "-----BEGIN PRIVATE KEY-----\r\nAAAA\r\n-----END PRIVATE KEY-----\r\n" }],
    [leaf, { pem: leaf.pem + inter.pem }],
    [leaf, { pem: 42 }],
    [leaf, "not an object"],
    [{ pem: "-----BEGIN CERTIFICATE-----\r\nbm90IGEgY2VydA==\r\n-----END CERTIFICATE-----\r\n" }],
  ];
  for (const chain of cases) await assert.rejects(saveChain(dir, issued(9, chain)), SaveChainError);
  assert.equal(existsSync(dir), false);
});
