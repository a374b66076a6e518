// What a Retry-After header may hold (RFC 9110 §10.2.3): delay-seconds or an HTTP-date. An injected fault's
// retryAfter is checked against this, so a value Node cannot send (CR/LF, other controls) or a client could
// never read is refused at injection rather than turning the call into a bare 500 later.

const DAY = "(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)";
const LONG_DAY = "(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)";
const MONTH = "(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)";
const TIME = "\\d{2}:\\d{2}:\\d{2}";

/** RFC 9110 §5.6.7: IMF-fixdate, and the obsolete RFC 850 and asctime forms recipients must accept. */
const HTTP_DATE = [
  new RegExp(`^${DAY}, \\d{2} ${MONTH} \\d{4} ${TIME} GMT$`),
  new RegExp(`^${LONG_DAY}, \\d{2}-${MONTH}-\\d{2} ${TIME} GMT$`),
  new RegExp(`^${DAY} ${MONTH} [ \\d]\\d ${TIME} \\d{4}$`),
];

export function isRetryAfterValue(value: string): boolean {
  if (/^\d+$/.test(value)) return true;
  return HTTP_DATE.some((form) => form.test(value)) && Number.isFinite(Date.parse(value));
}
