/** Appends item and drops the oldest entries beyond limit, so a long-running process keeps bounded history. */
export function pushBounded<T>(list: T[], item: T, limit: number): void {
  list.push(item);
  if (list.length > limit) list.splice(0, list.length - limit);
}
