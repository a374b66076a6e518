// Sentences for connections that failed in a way that says what is wrong: nothing listens at a loopback
// address (a sandbox or receiver not started), or an https:// URL that reached a plain-HTTP server (TLS
// reads the HTTP answer as a record of an unknown version). Shared by the failure table and trigger.

import { isLoopbackHost } from "../util/loopback.js";

/** undici says ERR_SSL_WRONG_VERSION_NUMBER; node:https says EPROTO ("wrong version number"). */
const PLAIN_HTTP_ERRNOS = new Set(["ERR_SSL_WRONG_VERSION_NUMBER", "EPROTO"]);

interface Words {
  message: string;
  hint?: string;
}

/** An https:// URL whose server answered in plain HTTP: the same URL with http:// is what to use. */
export function plainHttpWords(url: string, errno: string | undefined): Words | undefined {
  if (!errno || !PLAIN_HTTP_ERRNOS.has(errno) || !URL.canParse(url)) return undefined;
  const parsed = new URL(url);
  if (parsed.protocol !== "https:") return undefined;
  const plain = `http://${url.slice("https://".length)}`;
  return {
    message: `${url} speaks plain HTTP; use ${plain}`,
    hint: isLoopbackHost(parsed.hostname)
      ? undefined
      : "Plain http:// is accepted for an API base URL only on loopback; check the URL, or put TLS in front of that server.",
  };
}

/** Connection refused at a loopback URL: nothing was started there (or it stopped). */
export function nothingAnswersWords(url: string, errno: string | undefined, what: string): Words | undefined {
  if (errno !== "ECONNREFUSED" || !URL.canParse(url) || !isLoopbackHost(new URL(url).hostname))
    return undefined;
  return { message: `Nothing answers at ${url}: is ${what} running?` };
}
