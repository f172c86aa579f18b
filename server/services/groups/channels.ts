import { asc, eq } from 'drizzle-orm';
import type * as wire from '../../../shared/entities.ts';
import type { Db } from '../../db/client.ts';
import { channels } from '../../db/schema/index.ts';
import type { Notifier } from '../../realtime/notifier.ts';
import { channelStream, userStream } from '../../realtime/streams.ts';
import { MANAGERS, type Access } from './access.ts';
import type { EventLog } from '../../realtime/eventlog.ts';
import { memberIds } from './groups.ts';
import { presentChannel } from '../present.ts';
import type { ReadService } from '../messaging/reads.ts';

export interface ChannelDeps {
  db: Db;
  access: Access;
  eventLog: EventLog;
  notifier: Notifier;
  reads: ReadService;
}

/** Channels of a group: TEXT, VOICE or VIDEO. Changes are announced on every member's own stream. */
export function createChannelService({ db, access, eventLog, notifier, reads }: ChannelDeps) {
  return {
    async create(userId: string, input: { groupId: string; name: string; type: wire.ChannelType; topic?: string }): Promise<wire.Channel> {
      const { channel, events } = await db.transaction(async (tx) => {
        await access.requireRole(input.groupId, userId, MANAGERS, 'create channels', tx);
        const [row] = await tx
          .insert(channels)
          .values({ groupId: input.groupId, name: input.name, type: input.type, topic: input.topic ?? '' })
          .returning();
        const channel = presentChannel(row!);
        const events = await eventLog.appendToAll(tx, (await memberIds(tx, input.groupId)).map(userStream), {
          type: 'channel_created',
          channel,
        });
        return { channel, events };
      });
      notifier.durable(events);
      return channel;
    },

    /** The group's channels, each with the caller's unread and mention counts. */
    async list(userId: string, groupId: string): Promise<wire.Channel[]> {
      await access.requireMember(groupId, userId);
      const [rows, counts] = await Promise.all([
        db.select().from(channels).where(eq(channels.groupId, groupId)).orderBy(asc(channels.createdAt), asc(channels.id)),
        reads.channelCounts(userId, groupId),
      ]);
      return rows.map((row) => {
        const c = counts.get(row.id);
        return { ...presentChannel(row), unread_count: c?.unread ?? 0, mention_count: c?.mentions ?? 0 };
      });
    },

    async get(userId: string, channelId: string): Promise<wire.Channel> {
      return presentChannel((await access.channelFor(channelId, userId)).channel);
    },

    async update(userId: string, input: { channelId: string; name?: string; topic?: string }): Promise<wire.Channel> {
      const { channel, events } = await db.transaction(async (tx) => {
        const { channel: current } = await access.channelFor(input.channelId, userId, tx);
        await access.requireRole(current.groupId, userId, MANAGERS, 'change channels', tx);
        const patch = { ...(input.name !== undefined && { name: input.name }), ...(input.topic !== undefined && { topic: input.topic }) };
        const [row] = Object.keys(patch).length
          ? await tx.update(channels).set(patch).where(eq(channels.id, input.channelId)).returning()
          : [current];
        const channel = presentChannel(row!);
        const events = await eventLog.appendToAll(tx, (await memberIds(tx, current.groupId)).map(userStream), {
          type: 'channel_updated',
          channel,
        });
        return { channel, events };
      });
      notifier.durable(events);
      return channel;
    },

    async delete(userId: string, channelId: string): Promise<void> {
      const events = await db.transaction(async (tx) => {
        const { channel } = await access.channelFor(channelId, userId, tx);
        await access.requireRole(channel.groupId, userId, MANAGERS, 'delete channels', tx);
        await tx.delete(channels).where(eq(channels.id, channelId));
        await eventLog.purge(tx, [channelStream(channelId)]);
        const event = { type: 'channel_deleted', channel_id: channelId, group_id: channel.groupId };
        return eventLog.appendToAll(tx, (await memberIds(tx, channel.groupId)).map(userStream), event);
      });
      notifier.control({ kind: 'stream_deleted', stream: channelStream(channelId), what: 'Channel' });
      notifier.durable(events);
    },
  };
}

export type ChannelService = ReturnType<typeof createChannelService>;
