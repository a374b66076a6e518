// Source-address allowlists (reliability-checklist items 7–8). Addresses are parsed strictly with
// node:net (dotted decimal or canonical IPv6 only), so odd encodings such as `0xd8.168.240.1` or
// `216.168.240.01` never match anything: they are denied, not reinterpreted.
import { BlockList, isIP } from "node:net";
import { UsageError } from "../errors.js";

/** DigiCert's documented sender range (spec §13.1). */
export const DIGICERT_SOURCE_RANGE = "216.168.240.0/20";

export interface AddressMatcher {
  /** True when `address` parses strictly and falls inside one of the ranges. */
  allows(address: string | undefined): boolean;
  /** The ranges as given, for reporting. */
  readonly ranges: readonly string[];
}

/**
 * Normalises an address for comparison: strips an IPv4-mapped IPv6 prefix (`::ffff:1.2.3.4`) and an
 * IPv6 zone id; returns undefined when the text is not a strict IPv4 or IPv6 address.
 */
export function normalizeAddress(
  raw: string | undefined,
): { address: string; family: "ipv4" | "ipv6" } | undefined {
  if (typeof raw !== "string") return undefined;
  let text = raw.trim();
  if (text.startsWith("[") && text.endsWith("]")) text = text.slice(1, -1);
  const zone = text.indexOf("%");
  if (zone !== -1) text = text.slice(0, zone);
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(text);
  if (mapped && isIP(mapped[1]) === 4) return { address: mapped[1], family: "ipv4" };
  const version = isIP(text);
  if (version === 4) return { address: text, family: "ipv4" };
  if (version === 6) return { address: text.toLowerCase(), family: "ipv6" };
  return undefined;
}

/** Parses `a.b.c.d/n`, `x::y/n` or a bare address (a /32 or /128). Throws UsageError when invalid. */
export function parseCidr(cidr: string): { network: string; prefix: number; family: "ipv4" | "ipv6" } {
  const [addressPart, prefixPart, ...rest] = cidr.trim().split("/");
  const parsed = normalizeAddress(addressPart);
  if (!parsed || rest.length > 0) throw new UsageError(`Not a valid address range: ${JSON.stringify(cidr)}.`);
  const max = parsed.family === "ipv4" ? 32 : 128;
  const prefix =
    prefixPart === undefined ? max : /^\d{1,3}$/.test(prefixPart) ? Number(prefixPart) : Number.NaN;
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max) {
    throw new UsageError(`Not a valid address range: ${JSON.stringify(cidr)} (prefix must be 0–${max}).`);
  }
  return { network: parsed.address, prefix, family: parsed.family };
}

/** Builds a matcher over CIDR ranges (v4 and v6; v4-mapped v6 addresses match v4 ranges). */
export function createAddressMatcher(cidrs: readonly string[]): AddressMatcher {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const { network, prefix, family } = parseCidr(cidr);
    list.addSubnet(network, prefix, family);
  }
  return {
    ranges: [...cidrs],
    allows(address) {
      const parsed = normalizeAddress(address);
      return parsed !== undefined && list.check(parsed.address, parsed.family);
    },
  };
}

const loopback = createAddressMatcher(["127.0.0.0/8", "::1/128"]);

/** True for 127.0.0.0/8, ::1 and their v4-mapped forms. */
export function isLoopback(address: string | undefined): boolean {
  return loopback.allows(address);
}
