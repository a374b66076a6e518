// A certificate_issued payload's chain, decoded for the detail pane with node:crypto: who each certificate
// names, its validity, its fingerprint, and whether the next one in the chain signed it. A certificate that
// does not parse says why instead of failing the whole answer (the payload is whatever the sender sent).

import { X509Certificate } from "node:crypto";

interface DecodedCertificate {
  index: number;
  /** The payload's own label for it, when it has one. */
  subject_common_name?: string;
  subject?: string;
  issuer?: string;
  valid_from?: string;
  valid_to?: string;
  fingerprint256?: string;
  /** Issued and signed by the next certificate of the chain; null for the last one (nothing to check). */
  signed_by_next?: boolean | null;
  /** Self-signed (a root): issued by itself and signed by its own key. */
  self_signed?: boolean;
  /** Why this entry could not be decoded. */
  error?: string;
}

/** The chain of a payload's data (certificate_chain: [{subject_common_name, pem}]), or undefined without one. */
export function chainOf(data: unknown): unknown[] | undefined {
  if (!data || typeof data !== "object") return undefined;
  const chain = (data as { certificate_chain?: unknown }).certificate_chain;
  return Array.isArray(chain) ? chain.slice(0, 16) : undefined; // a real chain has 2–4; bounded anyway
}

/** A chain entry's fields, when it is an object at all. */
type Entry = { pem?: unknown; subject_common_name?: unknown };

function parse({ pem }: Entry): X509Certificate | string {
  if (typeof pem !== "string") return "pem is not a string";
  try {
    return new X509Certificate(pem.replace(/\r\n?/g, "\n"));
  } catch (err) {
    return `not an X.509 certificate in PEM (${(err as Error).message})`;
  }
}

function signedBy(cert: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

export function decodeChain(chain: readonly unknown[]): DecodedCertificate[] {
  const entries = chain.map((item): Entry => (item && typeof item === "object" ? item : {}));
  const parsed = entries.map(parse);
  return parsed.map((cert, index) => {
    const label = entries[index].subject_common_name;
    const named = typeof label === "string" ? { subject_common_name: label } : {};
    if (typeof cert === "string") return { index, ...named, error: cert };
    const next = parsed[index + 1];
    return {
      index,
      ...named,
      subject: cert.subject,
      issuer: cert.issuer,
      valid_from: cert.validFrom,
      valid_to: cert.validTo,
      fingerprint256: cert.fingerprint256,
      signed_by_next: next === undefined ? null : typeof next === "string" ? false : signedBy(cert, next),
      self_signed: signedBy(cert, cert),
    };
  });
}
