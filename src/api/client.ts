// The one place that talks HTTP to CertCentral. It owns the cross-cutting concerns: base URL, the
// X-DC-DEVKEY header, User-Agent, JSON headers, per-request timeout, the no-redirect rule, DigiCert's
// error envelope, redacted --verbose traces, and (for calls the caller marks safe) retries.

import { type Clock, systemClock } from "../util/clock.js";
import { deadline } from "../util/deadline.js";
import { mask, redact, redactHeaders, registerSecret } from "../util/redact.js";
import { type Dispatcher, directAgent, request } from "../util/undici.js";
import { checkBaseUrl } from "./base-url.js";
import { apiDispatcher, proxyFor, proxySettings, shownProxy } from "./dispatcher.js";
import { registerEndpointSecret } from "./endpoint-secret.js";
import { ApiError, ApiTimeoutError, ApiTooLargeError, NetworkError, noAnswerWords } from "./errors.js";
import { parseRetryAfter, withRetry } from "./retry.js";
import type { AnswerOf } from "./shapes.js";
import type { ApiClientOptions } from "./types.js";

type HttpMethod = "GET" | "POST" | "PUT" | "DELETE";

interface ApiRequest {
  method: HttpMethod;
  /** Relative to the base URL, starting with "/", e.g. "/webhook/12/activate". */
  path: string;
  query?: Record<string, string | number | undefined>;
  /** Sent as JSON. Body-less calls still carry Content-Type: application/json, as DigiCert's examples do. */
  body?: unknown;
  /** Parse the 2xx body as JSON. Calls answered by 204 or an empty 200 leave it off: their body is dumped. */
  expectJson?: boolean;
  /**
   * The largest 2xx body read, in bytes (default MAX_BODY_BYTES); a larger one is ApiTooLargeError. Error
   * bodies are always cut at MAX_BODY_BYTES: only a snippet of them is ever shown.
   */
  maxBodyBytes?: number;
  signal?: AbortSignal;
}

/**
 * The largest response body read into memory by default; the rest is discarded (a proxy's error page can be
 * huge). Every CertCentral answer but the event log is a few KB.
 */
export const MAX_BODY_BYTES = 1024 * 1024;
/**
 * The event log's cap: a full page is 1,000 entries (spec §11.1), and a `certificate_issued` entry with its
 * chain is about 4 KB, so a legitimate page is 4–5 MB. 16 MiB leaves room for longer chains.
 */
export const MAX_EVENT_LOG_BYTES = 16 * 1024 * 1024;
const SNIPPET_CHARS = 200;
const TRACE_BODY_CHARS = 2000;

/** Collapse whitespace and tags of a non-JSON body into a short, redacted snippet (≤ 200 chars). */
function bodySnippet(text: string): string {
  const raw = redact(text);
  const spaced = raw.replace(/<[^>]*>/g, " ");
  // A tag inside a secret (`abc<wbr>def`) would hide it from redaction: joined up, it shows and is masked.
  const joined = raw.replace(/<[^>]*>/g, "");
  const safe = redact(joined) !== joined ? redact(joined) : spaced;
  const flat = safe.replace(/\s+/g, " ").trim();
  return flat.length <= SNIPPET_CHARS ? flat : `${flat.slice(0, SNIPPET_CHARS - 1)}…`;
}

/** DigiCert's `{"errors":[{"code","message"}]}`, or undefined when the body is something else. */
function parseErrorEnvelope(text: string): { code: string; message: string }[] | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  const errors = (parsed as { errors?: unknown } | null)?.errors;
  if (!Array.isArray(errors) || errors.length === 0) return undefined;
  if (errors.some((e) => e === null || typeof e !== "object")) return undefined;
  return errors.map(({ code, message }: { code?: unknown; message?: unknown }) => ({
    code: typeof code === "string" ? code : "",
    message: typeof message === "string" ? message : "",
  }));
}

/**
 * Register every webhook `secret` in a JSON value and return a copy with those fields masked. Endpoints
 * that carry a credential (Slack URLs) are registered too, so redact() masks them in any output.
 */
function maskSecretFields(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskSecretFields);
  if (value === null || typeof value !== "object") return value;
  // fromEntries defines each field, so an own "__proto__" field of the answer stays a field.
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => {
      if (k === "endpoint" && typeof v === "string") registerEndpointSecret(v);
      if (k !== "secret" || typeof v !== "string") return [k, maskSecretFields(v)];
      registerSecret(v);
      return [k, v === "" ? "" : mask(v)];
    }),
  );
}

/** At most `max` bytes of the body as text, and whether there was more (which is then never read). */
async function readBody(
  body: Dispatcher.ResponseData["body"],
  max: number,
): Promise<{ text: string; cut: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    chunks.push(buf);
    size += buf.length;
    if (size > max) break; // leaving the loop destroys the stream: nothing more is read
  }
  return { text: Buffer.concat(chunks).subarray(0, max).toString("utf8"), cut: size > max };
}

/** Why `key` cannot be sent as X-DC-DEVKEY, or undefined when it can. */
function apiKeyProblem(key: string): string | undefined {
  if (/[\r\n]/.test(key)) return "contains a line break (e.g. a newline kept from a file)";
  if (/[^\x20-\x7e]/.test(key)) return "contains control or non-ASCII characters";
  if (/\s/.test(key)) return "contains whitespace";
  return undefined;
}

export class ApiClient {
  readonly baseUrl: string;
  readonly host: string;
  private readonly clock: Clock;

  constructor(private readonly opts: ApiClientOptions) {
    // An unset variable would otherwise send every call without X-DC-DEVKEY and fail it only then.
    if (typeof opts.apiKey !== "string" || opts.apiKey === "")
      throw new TypeError("The API key is missing or empty (apiKey); check the variable it is read from.");
    // A key read from a file keeps its trailing newline: no header can carry it, and every call would then
    // fail as a network error after its retries. The key itself is never put in the message.
    const keyProblem = apiKeyProblem(opts.apiKey);
    if (keyProblem) throw new TypeError(`The API key (apiKey) ${keyProblem}; check where it is read from.`);
    this.baseUrl = checkBaseUrl(opts.baseUrl, "The API base URL");
    this.host = new URL(this.baseUrl).host;
    this.clock = opts.clock ?? systemClock;
    registerSecret(opts.apiKey);
  }

  /**
   * One request, with retries when `retry` is true (only for calls that are safe to repeat). Throws ApiError,
   * ApiTimeoutError, NetworkError, or the user's abort reason. The 2xx body is read only with expectJson.
   */
  call(req: ApiRequest, retry: boolean): Promise<{ status: number; data: unknown }> {
    if (!retry) return this.once(req);
    return withRetry(() => this.once(req), {
      clock: this.clock,
      maxAttempts: this.opts.maxAttempts,
      signal: req.signal,
      onRetry: this.opts.onRetry,
    });
  }

  /**
   * One request whose JSON answer `read` (a reader of src/api/shapes.ts) turns into a typed value, or into
   * ApiShapeError. Never retried for its shape: a wrong shape is not a passing failure.
   */
  async read<T>(req: ApiRequest, retry: boolean, read: (data: unknown, at: AnswerOf) => T): Promise<T> {
    const { status, data } = await this.call({ ...req, expectJson: true }, retry);
    return read(data, { method: req.method, path: req.path, status });
  }

  private async once(req: ApiRequest): Promise<{ status: number; data: unknown }> {
    const url = this.url(req);
    const headers: Record<string, string> = {
      "x-dc-devkey": this.opts.apiKey,
      "content-type": "application/json",
      accept: "application/json",
      "user-agent": this.opts.userAgent,
    };
    const payload = req.body === undefined ? undefined : JSON.stringify(req.body);
    // Register any webhook secret in the body (so errors and traces mask it), traced or not.
    const shown = req.body === undefined ? undefined : maskSecretFields(req.body);
    this.traceRequest(req, url, headers, shown);

    req.signal?.throwIfAborted();
    const timeout = deadline(this.opts.timeoutMs, req.signal);
    const { signal } = timeout;
    const started = this.clock.now();
    let status: number;
    let text = "";
    let cut = false;
    let retryAfter: string | string[] | undefined;
    try {
      const res = await request(url, {
        method: req.method,
        headers,
        body: payload,
        signal,
        // undici's own timers are coarse (≈0.5 s); the signal above is the real limit, these are a backstop.
        headersTimeout: this.opts.timeoutMs + 1000,
        bodyTimeout: this.opts.timeoutMs + 1000,
        dispatcher:
          (this.opts.dispatcher as Dispatcher | undefined) ?? (await apiDispatcher(url)) ?? directAgent(),
      });
      status = res.statusCode;
      retryAfter = res.headers["retry-after"];
      const readIt = status >= 300 || (req.expectJson === true && status !== 204);
      // Always consume or dump the body, or the connection stays busy.
      const max = status >= 200 && status < 300 ? (req.maxBodyBytes ?? MAX_BODY_BYTES) : MAX_BODY_BYTES;
      if (readIt) ({ text, cut } = await readBody(res.body, max));
      else await res.body.dump();
    } catch (err) {
      if (req.signal?.aborted) throw req.signal.reason;
      if (timeout.expired) {
        this.trace(`✗ ${req.method} ${url.href} timed out after ${this.opts.timeoutMs} ms`);
        throw new ApiTimeoutError(
          `${this.host} did not answer ${req.method} ${req.path} within ${this.opts.timeoutMs} ms.`,
          this.host,
          this.opts.timeoutMs,
        );
      }
      const errno = (err as { code?: unknown }).code;
      const code = typeof errno === "string" ? errno : undefined;
      this.trace(`✗ ${req.method} ${url.href} network error${code ? ` ${code}` : ""}`);
      throw new NetworkError(
        `${noAnswerWords(this.host, code)} for ${req.method} ${req.path}.`,
        this.host,
        code,
        err,
        this.baseUrl,
        proxyOf(url, err),
      );
    } finally {
      timeout.clear();
    }
    this.traceResponse(req, url, status, this.clock.now() - started, text);

    if (status >= 200 && status < 300) {
      if (cut) {
        throw new ApiTooLargeError({
          status,
          method: req.method,
          path: req.path,
          limitBytes: req.maxBodyBytes ?? MAX_BODY_BYTES,
        });
      }
      if (!req.expectJson || text.trim() === "") return { status, data: undefined };
      try {
        const data: unknown = JSON.parse(text);
        maskSecretFields(data); // registers any webhook secret for redaction
        return { status, data };
      } catch {
        // Not a refusal: CertCentral (or whatever answered) said yes in a form certwh cannot read.
        const detail = bodySnippet(text);
        throw new ApiError({
          status,
          code: "",
          method: req.method,
          path: req.path,
          detail,
          message: `CertCentral's answer to ${req.method} ${req.path} could not be read (HTTP ${status}, not JSON): ${detail}`,
        });
      }
    }
    throw this.errorFor(req, status, text, retryAfter);
  }

  private url(req: ApiRequest): URL {
    const url = new URL(`${this.baseUrl}${req.path}`);
    for (const [k, v] of Object.entries(req.query ?? {})) {
      if (v !== undefined) url.searchParams.set(k, String(v));
    }
    return url;
  }

  private errorFor(req: ApiRequest, status: number, text: string, retryAfter: string | string[] | undefined) {
    const base = { status, method: req.method, path: req.path };
    if (status >= 300 && status < 400) {
      // The Location is deliberately neither followed nor shown: the API key would travel with a follow.
      return new ApiError({
        ...base,
        code: "",
        message:
          `CertCentral answered HTTP ${status} (a redirect) to ${req.method} ${req.path}; certwh never follows ` +
          `redirects, because the API key would be sent along. Check the base URL (${this.baseUrl}).`,
      });
    }
    const retryAfterMs = parseRetryAfter(retryAfter, this.clock.now());
    const errors = parseErrorEnvelope(text);
    if (errors) {
      const message = redact(errors.map((e) => e.message || e.code).join("; ")).slice(0, 500);
      const code = errors[0]!.code;
      return new ApiError({
        ...base,
        code,
        errors,
        message,
        retryAfterMs,
        hint: this.routeHint(status, code),
      });
    }
    const snippet = bodySnippet(text);
    return new ApiError({
      ...base,
      code: "",
      errors: [],
      retryAfterMs,
      detail: snippet,
      hint: this.routeHint(status, ""),
      message: snippet ? `HTTP ${status} from ${this.host}: ${snippet}` : `HTTP ${status} from ${this.host}`,
    });
  }
  /**
   * A 404 for a route (not for a webhook id) from a base URL without CertCentral's /services/v2 path
   * almost always means the base URL is incomplete, e.g. http://127.0.0.1:8443 for a sandbox.
   */
  private routeHint(status: number, code: string): string | undefined {
    if (status !== 404 || (code !== "" && code !== "not_found|route")) return undefined;
    if (/\/services\/v2$/.test(new URL(this.baseUrl).pathname)) return undefined;
    return `Check --base-url / CERTWH_BASE_URL (now ${this.baseUrl}): it usually ends in /services/v2.`;
  }

  private trace(line: string): void {
    this.opts.trace?.(redact(line));
  }

  private traceRequest(req: ApiRequest, url: URL, headers: Record<string, string>, shown: unknown): void {
    if (!this.opts.trace) return;
    const body = shown === undefined ? "" : ` body ${clip(JSON.stringify(shown))}`;
    this.trace(`→ ${req.method} ${url.href} headers ${JSON.stringify(redactHeaders(headers))}${body}`);
  }

  private traceResponse(req: ApiRequest, url: URL, status: number, ms: number, text: string): void {
    if (!this.opts.trace) return;
    let shown = "";
    if (text.trim() !== "") {
      try {
        shown = ` body ${clip(JSON.stringify(maskSecretFields(JSON.parse(text))))}`;
      } catch {
        shown = ` body ${JSON.stringify(bodySnippet(text))}`;
      }
    }
    this.trace(`← ${status} ${req.method} ${url.href} (${ms} ms)${shown}`);
  }
}

/** The proxy a failed call went through (as far as the environment says), and the status it refused with. */
function proxyOf(url: URL, err: unknown): { url: string; status?: number } | undefined {
  const proxy = proxyFor(url, proxySettings());
  if (!proxy) return undefined;
  const refusal = /Proxy response \((\d{3})\)/.exec(err instanceof Error ? err.message : "");
  return { url: shownProxy(proxy), ...(refusal ? { status: Number(refusal[1]) } : {}) };
}

/** Redacted before it is cut: a secret straddling the cut would no longer match as a whole. */
function clip(text: string): string {
  const safe = redact(text);
  return safe.length <= TRACE_BODY_CHARS ? safe : `${safe.slice(0, TRACE_BODY_CHARS)}…`;
}
