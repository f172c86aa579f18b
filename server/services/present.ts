import type * as wire from '../../shared/entities.ts';
import type { channels, directMessages, groups, messages, users } from '../db/schema/index.ts';

/** Database rows (camelCase) to wire entities (snake_case): the only place the mapping lives. */
type UserRow = Pick<typeof users.$inferSelect, 'id' | 'username' | 'displayName' | 'createdAt'>;
type GroupRow = typeof groups.$inferSelect;
type ChannelRow = typeof channels.$inferSelect;
type MessageRow = Pick<typeof messages.$inferSelect, 'id' | 'seq' | 'channelId' | 'senderId' | 'content' | 'createdAt' | 'editedAt'>;
type DmRow = Pick<typeof directMessages.$inferSelect, 'id' | 'seq' | 'senderId' | 'recipientId' | 'content' | 'createdAt' | 'editedAt'>;

const iso = (d: Date) => d.toISOString();
const isoOrNull = (d: Date | null) => (d ? d.toISOString() : null);

export const presentUser = (u: UserRow): wire.User => ({
  id: u.id,
  username: u.username,
  display_name: u.displayName,
  created_at: iso(u.createdAt),
});

export const presentGroup = (g: GroupRow, myRole: wire.Role): wire.Group => ({
  id: g.id,
  name: g.name,
  description: g.description,
  owner_id: g.ownerId,
  my_role: myRole,
  created_at: iso(g.createdAt),
});

export const presentChannel = (c: ChannelRow): wire.Channel => ({
  id: c.id,
  group_id: c.groupId,
  name: c.name,
  type: c.type,
  topic: c.topic,
  created_at: iso(c.createdAt),
});

export const presentMessage = (
  m: MessageRow,
  senderUsername: string,
  reactions: wire.Reaction[] = [],
  attachments: wire.File[] = [],
): wire.Message => ({
  id: m.id,
  seq: m.seq,
  channel_id: m.channelId,
  sender_id: m.senderId,
  sender_username: senderUsername,
  content: m.content,
  created_at: iso(m.createdAt),
  edited_at: isoOrNull(m.editedAt),
  reactions,
  attachments,
});

export const presentDm = (
  m: DmRow,
  senderUsername: string,
  reactions: wire.Reaction[] = [],
  attachments: wire.File[] = [],
): wire.DirectMessage => ({
  id: m.id,
  seq: m.seq,
  sender_id: m.senderId,
  sender_username: senderUsername,
  recipient_id: m.recipientId,
  content: m.content,
  created_at: iso(m.createdAt),
  edited_at: isoOrNull(m.editedAt),
  reactions,
  attachments,
});
