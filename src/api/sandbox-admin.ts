// The client side of the sandbox's admin routes (/sandbox/v1, served by src/sandbox/admin.ts), used by
// `certwh trigger --sandbox-url`. Built on ApiClient, so it follows the rules of every call that carries
// an API key: X-DC-DEVKEY, the request timeout, redirects refused, redacted --verbose traces, the same
// errors. It lives in api/, not sandbox/: the sandbox stays independent of the client (architecture §2).

import { ApiClient } from "./client.js";
import { type EmitAnswer, readEmitAnswer } from "./shapes.js";
import type { ApiClientOptions, CallOptions } from "./types.js";

/** Where the admin routes live on a sandbox's origin (src/sandbox/server.ts ADMIN_PREFIX). */
const ADMIN_PREFIX = "/sandbox/v1";

interface SandboxAdmin {
  /** Ask the sandbox to send `event` to its webhook, as CertCentral would. Never retried. */
  emit(event: string, data: Record<string, unknown>, opts?: CallOptions): Promise<EmitAnswer>;
  /** A cheap authenticated call (GET /quirks): resolves when this sandbox answers 2xx to this key. */
  ping(opts?: CallOptions): Promise<void>;
}

type SandboxAdminOptions = Omit<ApiClientOptions, "baseUrl" | "onRetry" | "onNotice" | "maxAttempts"> & {
  /** Any URL of the sandbox (e.g. the base URL `certwh sandbox` printed); only its origin is used. */
  sandboxUrl: URL;
};

export function createSandboxAdmin(opts: SandboxAdminOptions): SandboxAdmin {
  const { sandboxUrl, ...rest } = opts;
  const client = new ApiClient({ ...rest, baseUrl: `${sandboxUrl.origin}${ADMIN_PREFIX}` });
  return {
    async emit(event, data, o = {}) {
      return client.read(
        { method: "POST", path: "/emit", body: { event, data }, signal: o.signal },
        false,
        readEmitAnswer,
      );
    },
    async ping(o = {}) {
      await client.call({ method: "GET", path: "/quirks", signal: o.signal }, false);
    },
  };
}
