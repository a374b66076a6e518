// A strict stand-in for CertCentral on 127.0.0.1: it answers exactly the requests of a script, in order,
// and fails the test (in t.after) when a request was not in the script or a scripted one never came.
import assert from "node:assert/strict";
import type { TestContext } from "node:test";
import { type RecordedRequest, startLoopback } from "./loopback.js";

export interface ScriptedAnswer {
  /** "METHOD /path" below the base URL, without the query, e.g. "PUT /webhook/7". */
  route: string;
  status: number;
  /** A JSON body; none (204-style) when omitted. */
  body?: unknown;
  /** Answer only after this long (a slow CertCentral, to interrupt certwh while it waits). */
  delayMs?: number;
}

export interface ScriptedApi {
  /** The base URL to give certwh (CERTWH_BASE_URL). */
  baseUrl: string;
  /** Every request that arrived, in order. */
  requests: RecordedRequest[];
  /** The environment that points the CLI at it. */
  env: Record<string, string>;
}

const PREFIX = "/services/v2";

/** CertCentral's error envelope with one error. */
export const apiError = (code: string, message = code) => ({ errors: [{ code, message }] });

export async function scriptedApi(t: TestContext, script: ScriptedAnswer[]): Promise<ScriptedApi> {
  const unexpected: string[] = [];
  let next = 0;
  const server = await startLoopback((req, res) => {
    const route = `${req.method} ${req.path.split("?")[0]?.replace(PREFIX, "")}`;
    const answer = script[next];
    if (!answer || answer.route !== route) {
      unexpected.push(`${route} (expected ${answer ? answer.route : "no more requests"})`);
      res.writeHead(500, { "content-type": "application/json" }).end(JSON.stringify(apiError("unexpected")));
      return;
    }
    next++;
    const send = () => {
      if (answer.body === undefined) res.writeHead(answer.status).end();
      else
        res.writeHead(answer.status, { "content-type": "application/json" }).end(JSON.stringify(answer.body));
    };
    if (answer.delayMs) setTimeout(send, answer.delayMs).unref();
    else send();
  }, t);
  t.after(() => {
    assert.deepEqual(unexpected, [], "requests the scripted CertCentral did not expect");
    assert.deepEqual(
      script.slice(next).map((a) => a.route),
      [],
      "scripted requests that never came",
    );
  });
  const baseUrl = `${server.origin}${PREFIX}`;
  return {
    baseUrl,
    requests: server.requests,
    env: { CERTWH_BASE_URL: baseUrl, CERTWH_API_KEY: "a-key-0123456789abcdef0123" },
  };
}
