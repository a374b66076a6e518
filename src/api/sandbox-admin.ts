// The client side of the sandbox's admin routes (/sandbox/v1, served by src/sandbox/admin.ts), used by
// `certwh trigger --sandbox-url`. Built on ApiClient, so it follows the rules of every call that carries
// an API key: X-DC-DEVKEY, the request timeout, redirects refused, redacted --verbose traces, the same
// errors. It lives in api/, not sandbox/: the sandbox stays independent of the client (architecture §2).

import { ApiClient } from "./client.js";
import { ApiError } from "./errors.js";
import type { ApiClientOptions, CallOptions } from "./types.js";

/** Where the admin routes live on a sandbox's origin (src/sandbox/server.ts ADMIN_PREFIX). */
const ADMIN_PREFIX = "/sandbox/v1";

/** POST /sandbox/v1/emit's answer. */
export interface EmitAnswer {
  delivered: boolean;
  reason?: string;
  delivery?: {
    url: string;
    status: number | null;
    ok: boolean;
    error?: string;
    kind: string;
    duration_ms?: number;
  };
  /** certificate_issued only: whether the sandbox put certificate_chain in the body. */
  certificate_chain?: boolean;
}

export interface SandboxAdmin {
  /** Ask the sandbox to send `event` to its webhook, as CertCentral would. Never retried. */
  emit(event: string, data: Record<string, unknown>, opts?: CallOptions): Promise<EmitAnswer>;
}

export type SandboxAdminOptions = Omit<
  ApiClientOptions,
  "baseUrl" | "onRetry" | "onNotice" | "maxAttempts"
> & {
  /** Any URL of the sandbox (e.g. the base URL `certwh sandbox` printed); only its origin is used. */
  sandboxUrl: URL;
};

function unreadable(what: string): ApiError {
  return new ApiError({
    status: 200,
    code: "",
    method: "POST",
    path: "/emit",
    detail: what,
    message: `The sandbox's answer to POST /emit could not be read: ${what}`,
  });
}

export function createSandboxAdmin(opts: SandboxAdminOptions): SandboxAdmin {
  const { sandboxUrl, ...rest } = opts;
  const client = new ApiClient({ ...rest, baseUrl: `${sandboxUrl.origin}${ADMIN_PREFIX}` });
  return {
    async emit(event, data, o = {}) {
      const answer = await client.send<EmitAnswer>({
        method: "POST",
        path: "/emit",
        body: { event, data },
        expectJson: true,
        signal: o.signal,
      });
      if (answer === null || typeof answer !== "object" || typeof answer.delivered !== "boolean")
        throw unreadable("no `delivered` flag.");
      if (answer.delivered && (answer.delivery === null || typeof answer.delivery !== "object"))
        throw unreadable("delivered, but no `delivery`.");
      return answer;
    },
  };
}
