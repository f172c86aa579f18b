import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';
import { readStates } from '../../db/schema/index.ts';
import type { Notifier } from '../../realtime/notifier.ts';
import { channelStream, channelStreamSql, dmStream, userStream } from '../../realtime/streams.ts';
import { badRequest } from '../../errors.ts';
import type { Access } from '../groups/access.ts';
import type { EventLog } from '../../realtime/eventlog.ts';
import type { Caller } from '../caller.ts';
import type { UserService } from '../accounts/users.ts';

export interface Counts {
  unread: number;
  mentions: number;
}

/**
 * Unread counts stop at this many (show "99+"): counting is a scan of the unread range, so an
 * unbounded count would cost a returning user one row per message they missed, per channel.
 */
export const UNREAD_CAP = 100;

/** Others' live messages in a channel after the read position, counted up to the cap. */
const unreadIn = (userId: string) => sql`(select count(*) from (
  select 1 from messages m where m.channel_id = c.id and m.seq > coalesce(r.last_read_seq, 0)
    and m.deleted_at is null and m.sender_id <> ${userId}
  limit ${UNREAD_CAP}) capped)`;

/**
 * Read state: how far each user has read each stream, and what is unread (others' live
 * messages after that point) and how many of those mention them. Marking read moves only
 * forward and tells the user's other devices through their own stream.
 */
export function createReadService(deps: {
  database: Database;
  access: Access;
  eventLog: EventLog;
  notifier: Notifier;
  users: UserService;
}) {
  const { database, access, eventLog, notifier, users } = deps;
  const { db } = database;

  async function advance(userId: string, stream: string, requested: number, where: { channel_id: string } | { user_id: string }) {
    const seq = Math.min(requested, await eventLog.latest(stream));
    if (seq <= 0) return;
    const events = await db.transaction(async (tx) => {
      const moved = await tx
        .insert(readStates)
        .values({ userId, stream, lastReadSeq: seq })
        .onConflictDoUpdate({
          target: [readStates.userId, readStates.stream],
          set: { lastReadSeq: seq, updatedAt: new Date() },
          setWhere: sql`${readStates.lastReadSeq} < ${seq}`,
        })
        .returning({ seq: readStates.lastReadSeq });
      if (!moved.length) return [];
      return [await eventLog.append(tx, userStream(userId), () => ({ type: 'read_state', ...where, seq }))];
    });
    notifier.durable(events);
  }

  const countsOf = (r: { unread: number | string; mentions: number | string }): Counts => ({
    unread: Number(r.unread),
    mentions: Number(r.mentions),
  });

  return {
    async markChannel(caller: Caller, channelId: string, seq: number) {
      await access.channelFor(channelId, caller.id);
      await advance(caller.id, channelStream(channelId), seq, { channel_id: channelId });
    },

    async markDm(caller: Caller, partnerId: string, seq: number) {
      if (partnerId === caller.id) throw badRequest('Direct messages need another user');
      await users.byId(partnerId);
      await advance(caller.id, dmStream(caller.id, partnerId), seq, { user_id: partnerId });
    },

    /** Unread and mention counts of every channel of a group, for one user. */
    async channelCounts(userId: string, groupId: string): Promise<Map<string, Counts>> {
      const rows = await database.rows<{ channel_id: string; unread: number; mentions: number }>(sql`
        select c.id as channel_id,
          ${unreadIn(userId)} as unread,
          (select count(*) from mentions x where x.user_id = ${userId} and x.channel_id = c.id
             and x.seq > coalesce(r.last_read_seq, 0)) as mentions
        from channels c
        left join read_states r on r.user_id = ${userId} and r.stream = ${channelStreamSql('c.id')}
        where c.group_id = ${groupId}`);
      return new Map(rows.map((r) => [r.channel_id, countsOf(r)]));
    },

    /** The same, summed per group (each channel's count capped), over every group the user belongs to. */
    async groupCounts(userId: string): Promise<Map<string, Counts>> {
      const rows = await database.rows<{ group_id: string; unread: number; mentions: number }>(sql`
        select c.group_id,
          coalesce(sum(${unreadIn(userId)}), 0) as unread,
          coalesce(sum((select count(*) from mentions x where x.user_id = ${userId} and x.channel_id = c.id
             and x.seq > coalesce(r.last_read_seq, 0))), 0) as mentions
        from memberships mb
        join channels c on c.group_id = mb.group_id
        left join read_states r on r.user_id = ${userId} and r.stream = ${channelStreamSql('c.id')}
        where mb.user_id = ${userId}
        group by c.group_id`);
      return new Map(rows.map((r) => [r.group_id, countsOf(r)]));
    },
  };
}

export type ReadService = ReturnType<typeof createReadService>;
