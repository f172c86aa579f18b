import { and, asc, desc, gt, lt, sql, type Column, type Placeholder, type SQL, type SQLWrapper } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import type * as wire from '../../../shared/entities.ts';
import { LIMITS } from '../../../shared/limits.ts';
import type { Database } from '../../db/client.ts';
import type { AttachmentJson } from '../files/attachments.ts';

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

/** The bounds of a prepared page: placeholders `beforeSeq` and `afterSeq` where the request has them. */
export type PreparedBounds = ReturnType<typeof pageBounds>;

/**
 * Reads history pages with prepared statements: each combination of `beforeSeq` and `afterSeq` is
 * its own statement (so its plan fits), built by `build` on first use. `values` fill the
 * statement's other placeholders; the bounds and `take` are filled here.
 */
export function pageReader<Row extends { seq: number }>(
  seq: PgColumn,
  build: (bounds: PreparedBounds) => (values: Record<string, unknown>) => Promise<Row[]>,
) {
  const made = new Map<string, ReturnType<typeof build>>();
  const statementFor = (q: PageQuery) => {
    const [before, after] = [q.beforeSeq !== undefined, q.afterSeq !== undefined];
    const key = `${before}/${after}`;
    let statement = made.get(key);
    if (!statement) {
      const bounds = pageBounds(seq, {
        beforeSeq: before ? sql.placeholder('beforeSeq') : undefined,
        afterSeq: after ? sql.placeholder('afterSeq') : undefined,
      });
      made.set(key, (statement = build(bounds)));
    }
    return statement;
  };
  return async (input: Partial<PageQuery>, values: Record<string, unknown>) => {
    const q = { beforeSeq: input.beforeSeq, afterSeq: input.afterSeq, limit: input.limit ?? LIMITS.historyPageDefault };
    const rows = await statementFor(q)({ ...values, beforeSeq: q.beforeSeq, afterSeq: q.afterSeq, take: rowsToRead(q) });
    return toPage(rows, q, isForward(q));
  };
}

/** A page row's value as the driver reads it (see `Database.fixedPlanReader.prepare`): timestamps as text, `int8` maybe as text. */
type Driven<V> = V extends Date ? string : V extends number ? number | string : V;

/** Columns selected under their own (camelCase) names, so a raw statement's rows come keyed by them. */
export function named<T extends Record<string, SQLWrapper>>(
  columns: T,
): { [K in keyof T]: SQL.Aliased<Driven<T[K] extends Column ? T[K]['_']['data'] : unknown>> } {
  return Object.fromEntries(Object.entries(columns).map(([name, column]) => [name, sql`${column}`.as(name)])) as never;
}

/**
 * A history page as one statement, one round trip: `page` selects the page's rows (with `named`
 * columns, `take` of them), and each row gets its reactions and attachments from one aggregate
 * each over the page's ids. Its SQL is rendered once; call it with the placeholders' values.
 */
export function preparePage<Row extends { seq: number | string; createdAt: string; editedAt: string | null }>(
  prepare: Database['fixedPlanReader']['prepare'],
  spec: { page: SQLWrapper; forward: boolean; reactions: (ids: SQL) => SQL; attachments: (ids: SQL) => SQL },
) {
  const ids = sql`array(select id from page)`;
  const statement = prepare<Row & { reactions: wire.Reaction[]; attachments: AttachmentJson[] }>(sql`with page as (${spec.page})
    select page.*, coalesce(r.list, '[]'::json) as reactions, coalesce(f.list, '[]'::json) as attachments
    from page
      left join ${spec.reactions(ids)} r on r.message_id = page.id
      left join ${spec.attachments(ids)} f on f.message_id = page.id
    order by page.seq ${sql.raw(spec.forward ? 'asc' : 'desc')}`);
  return async (values: Record<string, unknown>) =>
    (await statement(values)).map((r) => ({
      ...r,
      seq: Number(r.seq),
      createdAt: new Date(r.createdAt),
      editedAt: r.editedAt === null ? null : new Date(r.editedAt),
    }));
}
