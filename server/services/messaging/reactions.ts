import { inArray, sql, type Placeholder, type SQL } from 'drizzle-orm';
import type * as wire from '../../../shared/entities.ts';
import type { Db, Tx } from '../../db/client.ts';
import { dmReactions, reactions } from '../../db/schema/index.ts';

export type ReactionTable = typeof reactions | typeof dmReactions;

/**
 * Reaction summaries (`{ emoji, count, me }`, in order of first use) for a set of messages.
 * Without a viewer (events broadcast to everyone) `me` is false: clients track their own
 * reactions from the `reaction_added`/`reaction_removed` events' `user_id`.
 */
export async function reactionSummaries(
  db: Db | Tx,
  table: ReactionTable,
  ids: string[],
  viewerId: string | null,
): Promise<Map<string, wire.Reaction[]>> {
  const out = new Map<string, wire.Reaction[]>();
  if (!ids.length) return out;
  const rows = await db
    .select({
      messageId: table.messageId,
      emoji: table.emoji,
      count: sql<number>`count(*)::int`,
      me: viewerId ? sql<boolean>`bool_or(${table.userId} = ${viewerId})` : sql<boolean>`false`,
    })
    .from(table)
    .where(inArray(table.messageId, ids))
    .groupBy(table.messageId, table.emoji)
    .orderBy(sql`min(${table.createdAt})`, table.emoji);
  for (const r of rows) {
    const list = out.get(r.messageId) ?? [];
    list.push({ emoji: r.emoji, count: Number(r.count), me: Boolean(r.me) });
    out.set(r.messageId, list);
  }
  return out;
}

/**
 * The same summaries for the messages whose ids the array expression `ids` yields (a history
 * page's), as a table to join on `message_id`: `list` is the JSON array, in order of first use;
 * messages without reactions have no row. One pass for the whole page: a subquery per message ran
 * (and, on a small table, scanned it) once per row. `= any(array)` makes the planner probe the
 * primary key per id rather than guess how many ids come.
 */
export function reactionLists(ids: SQL, viewerId: string | Placeholder, table: typeof reactions | typeof dmReactions = reactions): SQL {
  return sql`(
    select message_id, json_agg(json_build_object('emoji', emoji, 'count', n, 'me', me) order by first, emoji) as list
    from (select message_id, emoji, count(*)::int as n, bool_or(user_id = ${viewerId}) as me, min(created_at) as first
          from ${table} where message_id = any(${ids}) group by message_id, emoji) e
    group by message_id)`;
}
