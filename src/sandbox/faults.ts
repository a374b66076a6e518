// Scripted answers for the next calls of a route (reliability checklist: 429, 5xx, delays, drops,
// redirects). Each fault is consumed by exactly one call, in the order injected.

import type { Fault } from "./types.js";

export class FaultQueue {
  private readonly queue: { route: string; fault: Fault }[] = [];

  constructor(private readonly knownRoutes: readonly string[]) {}

  add(route: string, faults: Fault[]): void {
    const key = normalizeRoute(route);
    if (!this.knownRoutes.includes(key)) {
      throw new Error(`Unknown sandbox route "${route}"; use one of: ${this.knownRoutes.join(", ")}`);
    }
    for (const fault of faults) this.queue.push({ route: key, fault });
  }

  /** The next fault for this route, removed from the queue. */
  take(route: string): Fault | undefined {
    const i = this.queue.findIndex((f) => f.route === route);
    return i < 0 ? undefined : this.queue.splice(i, 1)[0].fault;
  }

  pending(): { route: string; fault: Fault }[] {
    return this.queue.map((f) => ({ ...f }));
  }
}

/** "put /webhook/{webhook_id}/activate" → "PUT /webhook/:id/activate". */
export function normalizeRoute(route: string): string {
  const [method = "", path = ""] = route.trim().split(/\s+/, 2);
  const clean = path
    .replace(/^\/services\/v2/, "")
    .replace(/\{[^}]+\}|:[a-z_]+|\/\d+(?=\/|$)/gi, (m) => (m.startsWith("/") ? "/:id" : ":id"));
  return `${method.toUpperCase()} ${clean}`;
}
