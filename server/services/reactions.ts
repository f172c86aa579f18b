import { inArray, sql } from 'drizzle-orm';
import type * as wire from '../../shared/entities.ts';
import type { Db, Tx } from '../db/client.ts';
import { dmReactions, reactions } from '../db/schema/index.ts';

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
