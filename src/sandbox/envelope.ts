// DigiCert's error envelope (spec §3) and the sandbox's message for each code. certwh branches on
// `code` only; the messages are reworded from DigiCert's descriptions.

export class SandboxHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message?: string,
    /** Extra response headers (e.g. Allow on a 405). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message ?? MESSAGES[code] ?? code);
  }
}

/** webhook_endpoint_error's message while the test-exactly-200 quirk is on. */
export const ENDPOINT_ERROR_EXACTLY_200 =
  "The provided endpoint is not responding or accepting requests (the sandbox's test-exactly-200 quirk is on: only a 200 answer counts).";

const MESSAGES: Record<string, string> = {
  webhook_invalid_endpoint:
    "The provided endpoint is not valid. Make sure the endpoint begins with https:// and try again.",
  webhook_configured_already: "A webhook already exists in the CertCentral account.",
  webhook_endpoint_error: "The provided endpoint is not responding or accepting requests.",
  webhook_invalid_account: "No webhook exists for the account.",
  webhook_invalid_token: "The token is invalid, expired, or missing from the request.",
  webhook_invalid_action:
    "The webhook cannot be activated/deactivated. Make sure you have completed the verification challenge and try again.",
  "not_found|webhook": "A webhook with the given ID does not exist.",
  "not_found|route": "The requested route does not exist.",
  method_not_allowed: "The method is not allowed for this route.",
  request_limit_exceeded: "Service unavailable, please limit request volume",
  bad_request_format: "The request body is not valid JSON.",
  // Invented names for undocumented cases (spec §17 #10, #12; webhook_invalid_settings: §4.3 lists the
  // allowed values but no error for others; webhook_invalid_events, invalid_parameter|…, request_too_large
  // and unsupported_media_type: the spec names no code for a wrong events type, bad paging values, an
  // oversized body or an XML body).
  "access_denied|invalid_api_key": "Missing or invalid API key.",
  "access_denied|missing_permission": "The API key does not have permission for this action.",
  webhook_invalid_secret:
    "The secret must be at least 32 printable ASCII characters, without spaces or control characters.",
  webhook_invalid_settings: "A webhook_settings value is not valid.",
  webhook_invalid_events: "events must be a list of event names.",
  request_too_large: "The request body is too large.",
  unsupported_media_type:
    "The sandbox accepts JSON bodies only (Content-Type: application/json). CertCentral also accepts XML; the sandbox does not emulate it.",
  internal_error: "An internal error occurred.",
};

export function envelope(code: string, message?: string): string {
  return JSON.stringify({ errors: [{ code, message: message ?? MESSAGES[code] ?? code }] });
}

/** The code a plain status maps to, for injected faults without a body. */
export function codeForStatus(status: number): string {
  if (status === 429) return "request_limit_exceeded";
  if (status === 401) return "access_denied|invalid_api_key";
  if (status === 403) return "access_denied|missing_permission";
  if (status === 404) return "not_found|route";
  if (status >= 500) return "internal_error";
  return "bad_request_format";
}
