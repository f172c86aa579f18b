/**
 * The `expected_version` to send for an item, given the version the user saw when they acted.
 * My own writes go out one after another; the second of two quick changes to one item was made
 * on the version the user saw, which my first change has since replaced. Each confirmed write of
 * mine links the version it was based on to the one it produced, so a later write follows those
 * links and expects the latest of my own versions, while a change by anyone else (not linked)
 * still makes it stale: CONFLICT, as it should.
 */
export class VersionChain {
  private links = new Map<string, Map<number, number>>();

  expected(id: string, seen: number): number {
    const links = this.links.get(id);
    let v = seen;
    for (let hops = 0; links?.has(v) && hops < 1000; hops++) v = links.get(v)!;
    return v;
  }

  /** My write based on `from` produced `to`. */
  confirm(id: string, from: number, to: number) {
    let links = this.links.get(id);
    if (!links) this.links.set(id, (links = new Map()));
    links.set(from, to);
  }
}

/**
 * Puts `item` into `items` in place of the one with its id (or at the end), unless the copy held
 * is newer: events and replies may arrive in either order, and `version` (where the item has one)
 * says which is later.
 */
export function upsertNewer<T extends { id: string; version?: number }>(items: T[], item: T): T[] {
  const at = items.findIndex((i) => i.id === item.id);
  if (at < 0) return [...items, item];
  if ((items[at]!.version ?? 0) > (item.version ?? 0)) return items;
  const next = [...items];
  next[at] = item;
  return next;
}
