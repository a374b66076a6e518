// listen's local web inspector (src/inspector): the flags that choose it, and a running one fed with
// every event listen emits. The ready event carries its URL (token included), so the user can open it.

import { UsageError } from "../../errors.js";
import {
  type ConsoleSandbox,
  createDeliveriesStore,
  createEventFeed,
  type DeliveriesApiOptions,
  deliveriesApi,
  type Inspector,
  sandboxConsoleRoutes,
  startInspector,
} from "../../inspector/index.js";
import type { JournalEntry } from "../../listen/journal.js";
import type { ListenEvent } from "../../listen/types.js";
import { parsePort } from "../options/flag-values.js";

/** --no-inspect: false; else the port to bind on 127.0.0.1 (0: the system picks). */
export type InspectChoice = { port: number } | false;

export function parseInspectFlags(raw: { inspect?: boolean; inspectPort?: string }): InspectChoice {
  if (raw.inspect === false) {
    if (raw.inspectPort !== undefined)
      throw new UsageError("--inspect-port only applies when the inspector runs (not with --no-inspect).");
    return false;
  }
  return { port: parsePort("--inspect-port", raw.inspectPort) };
}

export interface RunningInspector {
  /** http://127.0.0.1:<port>/?token=…: the way in. */
  url: string;
  /** Passes the event on to open pages; returns the event to render (the ready event gains inspector_url). */
  feed(event: ListenEvent): ListenEvent;
  /** listen's onAccepted hook: the delivery's detail for the page. */
  keep(entry: JournalEntry): void;
  close(): Promise<void>;
}

/**
 * `api`: what the page's deliveries actions need: the forward targets and the webhook secret for replays
 * (the secret stays in this process), the journal file for the download. `sandbox`: listen's in-process
 * sandbox (--sandbox), which the page's console pane drives.
 */
export async function startListenInspector(
  choice: InspectChoice,
  api: DeliveriesApiOptions = {},
  sandbox?: ConsoleSandbox,
): Promise<RunningInspector | undefined> {
  if (choice === false) return undefined;
  const events = createEventFeed();
  const store = createDeliveriesStore();
  const inspector = await startInspector({
    port: choice.port,
    events: events.subscribe,
    history: events.history,
    routes: [...deliveriesApi(store, api), ...(sandbox ? sandboxConsoleRoutes(sandbox) : [])],
    ...(sandbox ? { panes: ["session", "deliveries", "console"] as const } : {}),
  }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === "EADDRINUSE")
      throw new UsageError(`--inspect-port ${choice.port} is already in use on 127.0.0.1.`, {
        hint: "Choose another --inspect-port, leave it out for a free one, or use --no-inspect.",
        cause: err,
      });
    if (err.code === "EACCES" || err.code === "EPERM")
      throw new UsageError(`Not allowed to listen on 127.0.0.1 port ${choice.port} (--inspect-port).`, {
        cause: err,
      });
    throw err;
  });
  return {
    url: inspector.url,
    feed(event) {
      const shown = event.type === "ready" ? { ...event, inspector_url: inspector.url } : event;
      store.observe(event); // before the page hears of it, so its fetch finds the row
      events.push(shown);
      return shown;
    },
    keep: (entry) => store.keep(entry),
    close: () => inspector.close(),
  };
}

/**
 * `certwh sandbox --ui`: the page with the console pane only (no listen session, so no events to stream),
 * on a free port of 127.0.0.1; its URL (token included) is the way in.
 */
export function startSandboxConsole(sandbox: ConsoleSandbox): Promise<Inspector> {
  return startInspector({
    events: () => () => {},
    history: () => [],
    routes: sandboxConsoleRoutes(sandbox),
    panes: ["console"],
    title: "certwh sandbox",
  });
}
