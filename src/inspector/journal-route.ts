// GET /api/journal: the session's journal as a download (application/x-ndjson). With a journal file, the
// file as it is on disk (streamed); without one (--no-journal), the deliveries the store still holds, one
// journal line each, so `certwh replay --journal` can read either.

import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import type { ServerResponse } from "node:http";
import type { DeliveriesStore } from "./deliveries-store.js";
import { baseHeaders, type Route, sendError } from "./routes.js";

function downloadHead(res: ServerResponse, size?: number): void {
  res.writeHead(200, {
    ...baseHeaders(),
    "Content-Type": "application/x-ndjson",
    "Content-Disposition": 'attachment; filename="certwh-journal.ndjson"',
    ...(size !== undefined ? { "Content-Length": String(size) } : {}),
  });
}

export function journalRoute(store: DeliveriesStore, journalPath?: string): Route {
  return {
    method: "GET",
    path: "/api/journal",
    async handle(req, res) {
      if (journalPath === undefined) {
        downloadHead(res);
        for (const d of store.details()) {
          const { received_at, id, event, body, headers, key_present } = d;
          res.write(`${JSON.stringify({ received_at, id, event, body, headers, key_present })}\n`);
        }
        res.end();
        return;
      }
      const size = await stat(journalPath).then(
        (s) => (s.isFile() ? s.size : undefined),
        () => undefined,
      );
      if (size === undefined) return sendError(res, 404, "The journal file is not there (any more).");
      downloadHead(res, size);
      if (req.method === "HEAD") return void res.end();
      // Only the bytes there when asked: listen may be appending meanwhile.
      const file = createReadStream(journalPath, { start: 0, end: Math.max(0, size - 1) });
      await new Promise<void>((resolve) => {
        file.on("error", () => {
          res.destroy();
          resolve();
        });
        res.on("close", () => {
          file.destroy();
          resolve();
        });
        if (size === 0) {
          file.destroy();
          res.end();
        } else file.pipe(res);
      });
    },
  };
}
