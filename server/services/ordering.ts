import { sql } from 'drizzle-orm';
import { generateKeyBetween, generateNKeysBetween } from 'fractional-indexing';
import type { Database, Tx } from '../db/client.ts';
import { notFound } from '../errors.ts';

/**
 * Fractional order keys for tasks, columns and cards (fractional-indexing's base-62 keys, which
 * sort by code unit; the columns use the "C" collation so PostgreSQL sorts them the same way).
 *
 * Callers hold a lock on the parent row (list or board, `FOR UPDATE`) while they read the
 * neighbours and write the key, so concurrent inserts at the same place are serialized and
 * never produce the same key; a UNIQUE (parent, position) index guards that anyway.
 */
export interface Ordered {
  /** Table and parent column, as SQL identifiers (constants, never input). */
  table: 'tasks' | 'cards' | 'board_columns';
  parent: 'list_id' | 'column_id' | 'board_id';
  /** What NOT_FOUND names when `after_id` is not a sibling. */
  what: string;
}

export const TASK_ORDER: Ordered = { table: 'tasks', parent: 'list_id', what: 'Task' };
export const CARD_ORDER: Ordered = { table: 'cards', parent: 'column_id', what: 'Card' };
export const COLUMN_ORDER: Ordered = { table: 'board_columns', parent: 'board_id', what: 'Column' };

/**
 * By default keys longer than this trigger a rebalance of their siblings. Repeatedly inserting
 * at one spot grows a key by about one character per five inserts; rebalanced keys are 2-4
 * characters (`generateNKeysBetween` over the whole parent).
 */
export const REBALANCE_LENGTH = 24;

export function createOrdering(database: Database, maxLength = REBALANCE_LENGTH) {
  const ident = (o: Ordered) => ({ t: sql.identifier(o.table), p: sql.identifier(o.parent) });

  async function one(tx: Tx, query: ReturnType<typeof sql>): Promise<string | null> {
    const [row] = await database.rows<{ position: string }>(query, tx);
    return row?.position ?? null;
  }

  return {
    /** The key right after sibling `afterId` (null: first) under `parentId`, ignoring `self` (the item being moved). */
    async after(tx: Tx, o: Ordered, parentId: string, afterId: string | null, self?: string): Promise<string> {
      const { t, p } = ident(o);
      const notSelf = self ? sql`and id <> ${self}` : sql``;
      // Both neighbours in one round trip: the anchor's key, and the first sibling key above it.
      const anchor = afterId ? sql`(select position from ${t} where id = ${afterId} and ${p} = ${parentId} ${notSelf})` : sql`null::text`;
      const [row] = await database.rows<{ prev: string | null; next: string | null }>(
        sql`with a as (select ${anchor} as position)
            select a.position as prev,
              (select position from ${t} where ${p} = ${parentId} ${notSelf} and (a.position is null or position > a.position)
               order by position limit 1) as next
            from a`,
        tx,
      );
      if (afterId && row?.prev == null) throw notFound(o.what);
      return generateKeyBetween(row?.prev ?? null, row?.next ?? null);
    },

    /** The key after the last sibling under `parentId` (ignoring `self`). */
    async end(tx: Tx, o: Ordered, parentId: string, self?: string): Promise<string> {
      const { t, p } = ident(o);
      const notSelf = self ? sql`and id <> ${self}` : sql``;
      return generateKeyBetween(
        await one(tx, sql`select position from ${t} where ${p} = ${parentId} ${notSelf} order by position desc limit 1`),
        null,
      );
    },

    /**
     * When `key` grew past `maxLength`, rewrites every sibling's key to short evenly spaced
     * ones, keeping the order; returns the ids whose key changed (their moved events are the
     * caller's to emit, so every client's copy stays equal to the database's).
     */
    async rebalanceIfLong(tx: Tx, o: Ordered, parentId: string, key: string): Promise<string[]> {
      if (key.length <= maxLength) return [];
      const { t, p } = ident(o);
      const rows = await database.rows<{ id: string; position: string }>(
        sql`select id::text as id, position from ${t} where ${p} = ${parentId} order by position`,
        tx,
      );
      const keys = generateNKeysBetween(null, null, rows.length);
      const changed = rows.map((r, i) => ({ id: r.id, position: keys[i]! })).filter((r, i) => rows[i]!.position !== r.position);
      if (!changed.length) return [];
      const ids = sql.join(
        changed.map((c) => sql`${c.id}::uuid`),
        sql`, `,
      );
      // Through a unique placeholder first ('~' sorts after every key and no key starts with it):
      // rewritten in place, a new key could collide with a sibling's old one under the unique index.
      await database.rows(sql`update ${t} set position = '~' || id::text where id in (${ids})`, tx);
      const values = sql.join(
        changed.map((c) => sql`(${c.id}::uuid, ${c.position})`),
        sql`, `,
      );
      await database.rows(sql`update ${t} as x set position = v.position from (values ${values}) as v(id, position) where x.id = v.id`, tx);
      return changed.map((c) => c.id);
    },
  };
}

export type Ordering = ReturnType<typeof createOrdering>;
