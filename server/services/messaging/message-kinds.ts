import { and, eq, isNull } from 'drizzle-orm';
import type * as wire from '../../../shared/entities.ts';
import { directMessages, dmReactions, mentions, messages, reactions, users } from '../../db/schema/index.ts';
import { notFound } from '../../errors.ts';
import { channelStream } from '../../realtime/streams.ts';
import { MANAGERS, type Access } from '../groups/access.ts';
import type { MessageKind, MessageRow } from './message-ops.ts';
import { presentDm, presentMessage } from '../present.ts';

export const channelMessageColumns = {
  id: messages.id,
  seq: messages.seq,
  channelId: messages.channelId,
  senderId: messages.senderId,
  content: messages.content,
  createdAt: messages.createdAt,
  editedAt: messages.editedAt,
  senderUsername: users.username,
};

export const directMessageColumns = {
  id: directMessages.id,
  seq: directMessages.seq,
  pairKey: directMessages.pairKey,
  senderId: directMessages.senderId,
  recipientId: directMessages.recipientId,
  content: directMessages.content,
  createdAt: directMessages.createdAt,
  editedAt: directMessages.editedAt,
  senderUsername: users.username,
};

type ChannelMessageRow = MessageRow & { channelId: string };
type DirectMessageRow = MessageRow & { pairKey: string; recipientId: string };

/** Channel messages: visible to the group's members; the group's owner and admins moderate. */
export function channelMessages(access: Access): MessageKind<ChannelMessageRow, wire.Message> {
  return {
    reactions,
    async load(tx, messageId, callerId) {
      const [row] = await tx
        .select(channelMessageColumns)
        .from(messages)
        .innerJoin(users, eq(users.id, messages.senderId))
        .where(and(eq(messages.id, messageId), isNull(messages.deletedAt)))
        .for('update', { of: messages });
      if (!row) throw notFound('Message');
      const { role } = await access.channelFor(row.channelId, callerId, tx).catch(() => Promise.reject(notFound('Message')));
      return { row, stream: channelStream(row.channelId), moderator: MANAGERS.includes(role) };
    },
    async setContent(tx, id, content, editedAt) {
      await tx.update(messages).set({ content, editedAt }).where(eq(messages.id, id));
    },
    async markDeleted(tx, row) {
      // The text goes with the message (and out of the search index); the sequence stays taken.
      await tx.update(messages).set({ content: '', deletedAt: new Date() }).where(eq(messages.id, row.id));
      await tx.delete(mentions).where(eq(mentions.messageId, row.id));
    },
    present: (row, list) => presentMessage(row, row.senderUsername, list),
    events: { updated: 'message_updated', deleted: 'message_deleted' },
    ref: (row) => ({ channel_id: row.channelId }),
  };
}

/** Direct messages: visible to their two participants; nobody moderates another's messages. */
export function directMessageKind(): MessageKind<DirectMessageRow, wire.DirectMessage> {
  return {
    reactions: dmReactions,
    async load(tx, messageId, callerId) {
      const [row] = await tx
        .select(directMessageColumns)
        .from(directMessages)
        .innerJoin(users, eq(users.id, directMessages.senderId))
        .where(and(eq(directMessages.id, messageId), isNull(directMessages.deletedAt)))
        .for('update', { of: directMessages });
      if (!row || (row.senderId !== callerId && row.recipientId !== callerId)) throw notFound('Message');
      return { row, stream: row.pairKey, moderator: false };
    },
    async setContent(tx, id, content, editedAt) {
      await tx.update(directMessages).set({ content, editedAt }).where(eq(directMessages.id, id));
    },
    async markDeleted(tx, row) {
      await tx.update(directMessages).set({ content: '', deletedAt: new Date() }).where(eq(directMessages.id, row.id));
    },
    present: (row, list) => presentDm(row, row.senderUsername, list),
    events: { updated: 'dm_message_updated', deleted: 'dm_message_deleted' },
    ref: () => ({}),
  };
}
