// The `data` object of a delivery's JSON body (order and certificate ids live there), or undefined when
// the body is not JSON: journal entries and kept deliveries hold the body as text.

export function payloadData(body: string): unknown {
  try {
    return (JSON.parse(body) as { data?: unknown } | null)?.data;
  } catch {
    return undefined;
  }
}
