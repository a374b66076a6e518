// The page gets listen's events without anything that grants access: the ready event is the only one that
// carries a credential (the throwaway sandbox API key), and the inspector's own URL holds its token.

import type { ListenEvent } from "../listen/types.js";

export function forThePage(event: ListenEvent): ListenEvent {
  if (event.type !== "ready") return event;
  const { sandbox_api_key: _key, inspector_url: _url, ...rest } = event;
  return rest;
}
