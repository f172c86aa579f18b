import { and, asc, desc, gt, lt, type Placeholder, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';

/** A page request by stream sequence: newest first; `before`/`after` bound it on either side. */
export interface PageQuery {
  beforeSeq?: number;
  afterSeq?: number;
  limit: number;
}

/** A bound's value, or its placeholder in a statement prepared once per combination of bounds. */
type Bound = number | Placeholder;

/** With only `afterSeq` the page is the oldest `limit` after it (read ascending, then reversed). */
export const isForward = (q: { beforeSeq?: Bound; afterSeq?: Bound }) => q.afterSeq !== undefined && q.beforeSeq === undefined;

/** Rows to read for a page: going back, one extra tells whether an older page exists. */
export const rowsToRead = (q: PageQuery) => q.limit + (isForward(q) ? 0 : 1);

/** The ordering and bounds of a history page (read `rowsToRead` rows). */
export function pageBounds(seq: PgColumn, q: { beforeSeq?: Bound; afterSeq?: Bound }) {
  const forward = isForward(q);
  const bounds: SQL[] = [];
  if (q.beforeSeq !== undefined) bounds.push(lt(seq, q.beforeSeq));
  if (q.afterSeq !== undefined) bounds.push(gt(seq, q.afterSeq));
  return {
    where: bounds.length ? and(...bounds) : undefined,
    order: forward ? asc(seq) : desc(seq),
    forward,
  };
}

/** Newest-first items and the cursor of the next older page (null when there is none). */
export function toPage<T extends { seq: number }>(
  rows: T[],
  q: PageQuery,
  forward: boolean,
): { items: T[]; next_before_seq: number | null } {
  if (forward) return { items: rows.reverse(), next_before_seq: null };
  const more = rows.length > q.limit;
  const items = more ? rows.slice(0, q.limit) : rows;
  return { items, next_before_seq: more ? items[items.length - 1]!.seq : null };
}
