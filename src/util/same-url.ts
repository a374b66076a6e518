// Whether two endpoint URLs name the same place. CertCentral may store or echo a URL in another spelling
// than the one sent (host case, a default port, an empty path as "/"), so a read-back is compared after
// WHATWG URL parsing; a text that does not parse is compared as it is.

/** `a` and `b` are equal after WHATWG URL normalisation (or, when either does not parse, as text). */
export function sameUrl(a: string, b: string): boolean {
  const x = URL.parse(a);
  const y = URL.parse(b);
  return x !== null && y !== null ? x.href === y.href : a === b;
}
