// --save-chain <dir>: for a certificate_issued event that carries certificate_chain (leaf, intermediates,
// root; spec §12.3), write <dir>/<order_id>/ in the certbot layout that nginx and Apache expect:
//   cert.pem       the leaf
//   chain.pem      the intermediates only (empty for a leaf-only chain)
//   fullchain.pem  leaf + intermediates: what a server sends; a server should not send the root
//   root.pem       the self-signed root, when the chain has one, so nothing DigiCert sent is lost
//                  (a stale root.pem from an earlier issuance without a root is removed)
//
// - The directory name comes only from order_id validated as a positive integer: nothing from the
//   payload is ever used as a path, so `../` cannot happen.
// - Line endings are normalised to \n (CertCentral sends \r\n); each certificate ends with a newline.
// - Certificates are public: files 0644, directories 0755. Never world-writable.
// - Each file is written to a temporary name in the same directory, flushed, then renamed, so a reader
//   never sees half a file.

import { randomBytes, X509Certificate } from "node:crypto";
import { chmod, lstat, mkdir, open, rename, rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import { makeDirs } from "../util/make-dirs.js";

export class SaveChainError extends Error {
  override name = "SaveChainError";
}

interface SavedChain {
  /** <dir>/<order_id>, absolute. */
  dir: string;
  /** Absolute paths of cert.pem, chain.pem, fullchain.pem, and root.pem when the chain has a root. */
  files: string[];
}

const PEM = /^-----BEGIN CERTIFICATE-----\n[A-Za-z0-9+/=\n]+\n-----END CERTIFICATE-----$/;

/** The order id as a directory name, or null when it is not a positive integer. */
function orderDirName(orderId: unknown): string | null {
  if (typeof orderId === "number" && Number.isSafeInteger(orderId) && orderId > 0) return String(orderId);
  if (typeof orderId === "string" && /^[1-9][0-9]{0,15}$/.test(orderId)) return orderId;
  return null;
}

/** A self-signed certificate: issued by itself and signed by its own key (a root CA). */
function isSelfSigned(pem: string): boolean {
  const cert = new X509Certificate(pem);
  return cert.checkIssued(cert) && cert.verify(cert.publicKey);
}

/** One certificate with \n line endings, ending with exactly one newline; SaveChainError if it is not one. */
function normalisePem(pem: unknown, index: number): string {
  if (typeof pem !== "string") throw new SaveChainError(`certificate_chain[${index}].pem is not a string.`);
  const text = pem.replace(/\r\n?/g, "\n").trim();
  if (!PEM.test(text))
    throw new SaveChainError(`certificate_chain[${index}].pem is not one PEM certificate.`);
  try {
    new X509Certificate(text);
  } catch {
    throw new SaveChainError(`certificate_chain[${index}].pem does not parse as an X.509 certificate.`);
  }
  return `${text}\n`;
}

async function writeAtomically(dir: string, name: string, content: string): Promise<string> {
  const path = join(dir, name);
  const temp = join(dir, `.${name}.${randomBytes(6).toString("hex")}.tmp`);
  const fh = await open(temp, "wx", 0o644);
  try {
    await fh.writeFile(content, "utf8");
    await fh.chmod(0o644); // the umask may have narrowed it; certificates are meant to be readable
    await fh.datasync();
  } finally {
    await fh.close();
  }
  try {
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
  return path;
}

/**
 * Write the chain files of a certificate_issued event. Returns null when the event is another type or
 * carries no chain; throws SaveChainError for a bad order_id or certificate, and file-system errors as is.
 */
export async function saveChain(dir: string, payload: unknown): Promise<SavedChain | null> {
  if (typeof payload !== "object" || payload === null) return null;
  const { event, data } = payload as { event?: unknown; data?: unknown };
  if (event !== "certificate_issued" || typeof data !== "object" || data === null) return null;
  const { order_id: orderId, certificate_chain: chain } = data as Record<string, unknown>;
  if (!Array.isArray(chain) || chain.length === 0) return null;

  const name = orderDirName(orderId);
  if (!name) throw new SaveChainError("certificate_issued has no valid order_id (a positive integer).");
  const pems = chain.map((item, i) =>
    normalisePem(typeof item === "object" && item !== null ? (item as { pem?: unknown }).pem : undefined, i),
  );

  const base = resolve(dir);
  const created = await makeDirs(base, 0o755);
  if (created) await chmod(base, 0o755);
  const orderDir = join(base, name);
  const existing = await lstat(orderDir).catch(() => null);
  if (existing && !existing.isDirectory()) {
    // Includes a symlink planted there: never write through it.
    throw new SaveChainError(`${orderDir} exists and is not a directory.`);
  }
  if (!existing) await mkdir(orderDir, { mode: 0o755 });
  await chmod(orderDir, 0o755);

  const leaf = pems[0] as string;
  // Past the leaf, a self-signed certificate is the root (CertCentral sends it last); the rest are
  // intermediates, kept in the order given.
  const above = pems.slice(1);
  const roots = above.filter(isSelfSigned);
  const intermediates = above.filter((pem) => !roots.includes(pem));
  const contents: Array<[string, string]> = [
    ["cert.pem", leaf],
    ["chain.pem", intermediates.join("")],
    ["fullchain.pem", leaf + intermediates.join("")],
  ];
  if (roots.length > 0) contents.push(["root.pem", roots.join("")]);
  else await rm(join(orderDir, "root.pem"), { force: true });
  const files: string[] = [];
  for (const [file, content] of contents) files.push(await writeAtomically(orderDir, file, content));
  return { dir: orderDir, files };
}
