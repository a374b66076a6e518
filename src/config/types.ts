// What the rest of certwh needs to know about configuration, whatever the store behind it.

export type Region = "us" | "eu";

export const REGION_BASE_URLS: Record<Region, string> = {
  us: "https://www.digicert.com/services/v2",
  eu: "https://certcentral.digicert.eu/services/v2",
};

export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/** Global flags as commander parsed them (flag > env > profile > default is applied on top). */
export interface GlobalFlags {
  json: boolean;
  color: boolean;
  verbose: boolean;
  /** false with --no-input */
  input: boolean;
  yes: boolean;
  profile?: string;
  region?: string;
  baseUrl?: string;
  requestTimeout?: string;
}

export interface ResolvedSettings {
  profile: string;
  apiKey?: string;
  /** Where the key came from, for `config list` and error hints (never the key itself). */
  apiKeySource?: "CERTWH_API_KEY" | "DIGICERT_API_KEY" | "profile";
  region: Region;
  baseUrl: string;
  baseUrlSource: "flag" | "env" | "profile" | "region";
  requestTimeoutMs: number;
  configPath: string;
}

/** Where configuration problems are reported (the command's Output on stderr). */
export interface Warner {
  warn(text: string): void;
}
