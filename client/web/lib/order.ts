/** Ordering by the server's fractional `position` keys (CONTRACT.md: code-unit order, never locale order). */

interface Positioned {
  id: string;
  position: string;
}

/** Code-unit order of `position`, then of `id` (the server never ties two siblings; this keeps a sort total anyway). */
export function byPosition(a: Positioned, b: Positioned): number {
  if (a.position !== b.position) return a.position < b.position ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** A sorted copy. */
export const sortByPosition = <T extends Positioned>(items: readonly T[]): T[] => [...items].sort(byPosition);

/**
 * `items` with `item` taken out (wherever it was, if anywhere) and put right after `afterId`
 * (null: first). An `afterId` that is not there (deleted meanwhile) puts it last.
 */
export function placeAfter<T extends { id: string }>(items: readonly T[], item: T, afterId: string | null): T[] {
  const rest = items.filter((i) => i.id !== item.id);
  if (afterId === null) return [item, ...rest];
  const at = rest.findIndex((i) => i.id === afterId);
  if (at < 0) return [...rest, item];
  return [...rest.slice(0, at + 1), item, ...rest.slice(at + 1)];
}

/** The `after_id` that puts `id` at `index` of `items` as they are shown (counting without `id` itself). */
export function afterIdAt(items: readonly { id: string }[], id: string, index: number): string | null {
  const rest = items.filter((i) => i.id !== id);
  const at = Math.min(Math.max(index, 0), rest.length);
  return at === 0 ? null : rest[at - 1]!.id;
}

/**
 * The `after_id` (in the full list `all`) that moves `id` one place up or down among the items
 * that are shown (`shown`, a subsequence of `all`, e.g. with done tasks hidden); undefined when it
 * is already first or last.
 */
export function stepAfterId(
  all: readonly { id: string }[],
  shown: readonly { id: string }[],
  id: string,
  dir: -1 | 1,
): string | null | undefined {
  const at = shown.findIndex((i) => i.id === id);
  const neighbour = at < 0 ? undefined : shown[at + dir];
  if (!neighbour) return undefined;
  if (dir === 1) return neighbour.id;
  // Up: right after whatever sits before the neighbour in the full list (hidden items included).
  const rest = all.filter((i) => i.id !== id);
  const n = rest.findIndex((i) => i.id === neighbour.id);
  return n <= 0 ? null : rest[n - 1]!.id;
}
