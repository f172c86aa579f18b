import { z } from 'zod';

/** Wire entities (snake_case), one schema each; server outputs and client types come from here. */
export const Uuid = z.uuid();
export const Timestamp = z.iso.datetime();

export const Role = z.enum(['owner', 'admin', 'member']);
export type Role = z.infer<typeof Role>;

export const ChannelType = z.enum(['TEXT', 'VOICE', 'VIDEO']);
export type ChannelType = z.infer<typeof ChannelType>;

export const User = z.object({
  id: Uuid,
  username: z.string(),
  display_name: z.string(),
  created_at: Timestamp,
});
export type User = z.infer<typeof User>;

export const Session = z.object({
  user: User,
  access_token: z.string(),
  refresh_token: z.string(),
  /** Seconds until `access_token` expires. */
  expires_in: z.number().int(),
});
export type Session = z.infer<typeof Session>;

export const Group = z.object({
  id: Uuid,
  name: z.string(),
  description: z.string(),
  owner_id: Uuid,
  my_role: Role,
  created_at: Timestamp,
  /** Present in `groups.list`: sums over the group's channels. */
  unread_count: z.number().int().optional(),
  mention_count: z.number().int().optional(),
});
export type Group = z.infer<typeof Group>;

export const Member = z.object({
  user: User,
  role: Role,
  joined_at: Timestamp,
  online: z.boolean(),
});
export type Member = z.infer<typeof Member>;

export const Channel = z.object({
  id: Uuid,
  group_id: Uuid,
  name: z.string(),
  type: ChannelType,
  topic: z.string(),
  created_at: Timestamp,
  /** Present in `channels.list`: the caller's read state (unread stops counting at 100: show "99+"). */
  unread_count: z.number().int().optional(),
  mention_count: z.number().int().optional(),
});
export type Channel = z.infer<typeof Channel>;

export const Reaction = z.object({ emoji: z.string(), count: z.number().int(), me: z.boolean() });
export type Reaction = z.infer<typeof Reaction>;

export const Message = z.object({
  id: Uuid,
  seq: z.number().int(),
  channel_id: Uuid,
  sender_id: Uuid,
  sender_username: z.string(),
  content: z.string(),
  created_at: Timestamp,
  edited_at: Timestamp.nullable(),
  reactions: z.array(Reaction),
  /** Present in `messages.search`: the matching fragment with matches wrapped in `<b>`…`</b>`. */
  snippet: z.string().optional(),
});
export type Message = z.infer<typeof Message>;

export const DirectMessage = z.object({
  id: Uuid,
  seq: z.number().int(),
  sender_id: Uuid,
  sender_username: z.string(),
  recipient_id: Uuid,
  content: z.string(),
  created_at: Timestamp,
  edited_at: Timestamp.nullable(),
  reactions: z.array(Reaction),
});
export type DirectMessage = z.infer<typeof DirectMessage>;

/** An entry of `dms.conversations`: a partner, the latest message between us, and what I have not read. */
export const Conversation = z.object({ user: User, last_message: DirectMessage, unread_count: z.number().int() });
export type Conversation = z.infer<typeof Conversation>;

export const Ok = z.object({ ok: z.literal(true) });
export type Ok = z.infer<typeof Ok>;
/** The result of every mutation that returns nothing else. */
export const OK: Ok = { ok: true };

/** A history page: items oldest first, and the `before_seq` of the next older page (null at the start). */
const pageOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), next_before_seq: z.number().int().nullable() });
export const MessagePage = pageOf(Message);
export type MessagePage = z.infer<typeof MessagePage>;
export const DirectMessagePage = pageOf(DirectMessage);
export type DirectMessagePage = z.infer<typeof DirectMessagePage>;
