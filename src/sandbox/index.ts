// The CertCentral sandbox: an in-process emulator of the webhook part of the Services API and of
// CertCentral's event sender. `certwh sandbox` runs it in the foreground; tests start it on port 0.
// Choices for every undocumented behaviour follow spec §17 and are listed in the README's sandbox section.

import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { systemClock } from "../util/clock.js";
import { fileError } from "../util/fs-error.js";
import { createAdmin } from "./admin.js";
import { SandboxEngine } from "./engine.js";
import { FaultQueue } from "./faults.js";
import { QuirkSet, type SandboxQuirk } from "./quirks.js";
import { API_PREFIX, createHandler, RateLimiter } from "./server.js";
import { loadState, saveState, WebhookStore } from "./state.js";
import type { RecordedRequest, Sandbox, SandboxOptions } from "./types.js";

export { normalizeRoute } from "./faults.js";
export { parseQuirks, SANDBOX_QUIRKS, type SandboxQuirk } from "./quirks.js";
export { ADMIN_PREFIX, API_PREFIX } from "./server.js";
export { TOKEN_TTL_MS } from "./state.js";
export type * from "./types.js";

/**
 * Saves the state after each change. A failed write does not fail the API call that made the change (it is
 * kept in memory): the failure is reported once, and so is the first write that works again.
 */
function keepSaving(path: string, report: SandboxOptions["onStateFile"]) {
  let failing = false;
  return (data: Parameters<typeof saveState>[1]) => {
    try {
      saveState(path, data);
      if (failing) report?.({ ok: true, message: `Saved the state file ${path} again.` });
      failing = false;
    } catch (err) {
      if (failing) return;
      failing = true;
      const role = { what: "the state file", action: "write" } as const;
      const why = fileError(err, path, role, (cause) => `Cannot write the state file ${path}: ${cause}.`);
      report?.({ ok: false, message: `${why.message} Changes are kept in memory until it can be written.` });
    }
  };
}

export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const clock = opts.clock ?? systemClock;
  const apiKey = opts.apiKey ?? randomBytes(24).toString("base64url");
  const stateFile = opts.stateFile;
  // The older boolean options are quirks now; they still work and add theirs.
  const legacy: SandboxQuirk[] = [
    ...(opts.acceptOlderTokens ? (["older-tokens"] as const) : []),
    ...(opts.deleteExtension === false ? (["no-delete-404"] as const) : []),
  ];
  const quirks = new QuirkSet([...(opts.quirks ?? []), ...legacy]);
  const store = new WebhookStore(
    clock,
    quirks,
    stateFile ? await loadState(stateFile, opts.signal) : undefined,
    stateFile ? keepSaving(stateFile, opts.onStateFile) : undefined,
  );
  const engine = new SandboxEngine({
    clock,
    store,
    quirks,
    probe: {
      create: opts.probe?.create ?? true,
      update: opts.probe?.update ?? true,
      test: opts.probe?.test ?? true,
      timeoutMs: opts.probe?.timeoutMs ?? 10_000,
    },
    deliveryTimeoutMs: opts.deliveryTimeoutMs ?? 10_000,
    slackHost: opts.slackHost,
    onDelivery: opts.onDelivery,
  });
  const faults = new FaultQueue();
  const rl = opts.rateLimit ?? true;
  const limiter = rl === false ? null : new RateLimiter(clock, rl === true ? {} : rl);
  const requests: RecordedRequest[] = [];
  const stopped = new AbortController();

  const server = createServer(
    createHandler({
      engine,
      apiKey,
      clock,
      faults,
      limiter,
      permission: opts.permission ?? "ok",
      requests,
      stopped: stopped.signal,
      onRequest: opts.onRequest,
      admin: createAdmin({ engine, faults, apiKey }),
    }),
  );
  server.keepAliveTimeout = 1000;
  const host = opts.host ?? "127.0.0.1";
  const listening = once(server, "listening"); // rejects on "error" (e.g. the port is taken)
  server.listen(opts.port ?? 0, host);
  await listening;
  const { port } = server.address() as AddressInfo;
  const origin = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;

  let stopping: Promise<void> | undefined;
  return {
    url: `${origin}${API_PREFIX}`,
    origin,
    apiKey,
    webhook: () => structuredClone(store.current()),
    requests,
    deliveries: engine.deliveries,
    unknownRoutes: () => requests.filter((r) => r.route === null),
    inject: (route, ...list) => faults.add(route, list),
    pendingFaults: () => faults.pending(),
    holdChallenges: (hold) => engine.holdChallenges(hold),
    releaseChallenges: () => engine.releaseChallenges(),
    emit: async (event, data) => (await engine.emit(event, data)).delivery,
    quirks: () => quirks.list(),
    setQuirks: (list) => quirks.set(list),
    stop() {
      stopping ??= new Promise<void>((resolve) => {
        stopped.abort();
        engine.stop();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return stopping;
    },
  };
}
