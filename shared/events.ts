import { z } from 'zod';
import { BoardMeEvents } from './boards.ts';
import { DocCreatedEvent, DocDeletedEvent } from './docs.ts';
import { Channel, DirectMessage, Group, Message, Role, Uuid } from './entities.ts';
import { TaskMeEvents } from './tasks.ts';

/**
 * Realtime event shapes (CONTRACT.md "Realtime events"). Durable events are delivered with
 * tRPC `tracked(seq, event)`; ephemeral ones (presence, typing, WebRTC) are not.
 */

const channelRef = { channel_id: Uuid };
const who = { user_id: Uuid, username: z.string() };

export const OnlineUsersEvent = z.object({ type: z.literal('online_users'), users: z.array(Uuid), ...channelRef });
export const UserJoinedEvent = z.object({ type: z.literal('user_joined'), ...who, ...channelRef });
export const UserLeftEvent = z.object({ type: z.literal('user_left'), ...who, ...channelRef });
export const MessageEvent = Message.extend({ type: z.literal('message') });
export const MessageUpdatedEvent = Message.extend({ type: z.literal('message_updated') });
/** `seq` is the deleted message's own sequence; the event's position is its tracked id. */
export const MessageDeletedEvent = z.object({ type: z.literal('message_deleted'), id: Uuid, seq: z.number().int(), ...channelRef });
/** `seq` is the event's own position in the channel stream (equal to its tracked id). */
const reaction = { message_id: Uuid, emoji: z.string(), user_id: Uuid, ...channelRef, seq: z.number().int() };
export const ReactionAddedEvent = z.object({ type: z.literal('reaction_added'), ...reaction });
export const ReactionRemovedEvent = z.object({ type: z.literal('reaction_removed'), ...reaction });
export const TypingEvent = z.object({ type: z.literal('typing'), ...who, is_typing: z.boolean(), ...channelRef });
export const WebrtcType = z.enum(['webrtc_offer', 'webrtc_answer', 'webrtc_ice_candidate']);
export const ChannelSignalEvent = z.object({
  type: WebrtcType,
  from_user_id: Uuid,
  from_username: z.string(),
  ...channelRef,
  data: z.json(),
});
/** Tells a resuming client it missed too much to replay; it should refetch history from `latest_seq`. */
export const ResyncRequiredEvent = z.object({ type: z.literal('resync_required'), latest_seq: z.number().int() });

export const ChannelEvent = z.discriminatedUnion('type', [
  OnlineUsersEvent,
  UserJoinedEvent,
  UserLeftEvent,
  MessageEvent,
  MessageUpdatedEvent,
  MessageDeletedEvent,
  ReactionAddedEvent,
  ReactionRemovedEvent,
  TypingEvent,
  ChannelSignalEvent,
  ResyncRequiredEvent,
]);
export type ChannelEvent = z.infer<typeof ChannelEvent>;

export const DmPresenceEvent = z.object({ type: z.enum(['dm_user_online', 'dm_user_offline']), ...who });
export const DmMessageEvent = DirectMessage.extend({ type: z.literal('dm_message') });
export const DmMessageUpdatedEvent = DirectMessage.extend({ type: z.literal('dm_message_updated') });
export const DmMessageDeletedEvent = z.object({ type: z.literal('dm_message_deleted'), id: Uuid, seq: z.number().int() });
const dmReaction = { message_id: Uuid, emoji: z.string(), user_id: Uuid, seq: z.number().int() };
export const DmReactionAddedEvent = z.object({ type: z.literal('reaction_added'), ...dmReaction });
export const DmReactionRemovedEvent = z.object({ type: z.literal('reaction_removed'), ...dmReaction });
export const DmTypingEvent = z.object({ type: z.literal('dm_typing'), ...who, is_typing: z.boolean() });
export const DmSignalEvent = z.object({ type: WebrtcType, from_user_id: Uuid, from_username: z.string(), data: z.json() });

export const DmEvent = z.discriminatedUnion('type', [
  DmPresenceEvent,
  DmMessageEvent,
  DmMessageUpdatedEvent,
  DmMessageDeletedEvent,
  DmReactionAddedEvent,
  DmReactionRemovedEvent,
  DmTypingEvent,
  DmSignalEvent,
  ResyncRequiredEvent,
]);
export type DmEvent = z.infer<typeof DmEvent>;

/** Events on the caller's own stream (`realtime.me`). */
export const MeEvent = z.discriminatedUnion('type', [
  DmMessageEvent,
  z.object({ type: z.literal('mention'), message: Message, group_id: Uuid }),
  // What a replay shows in place of a deleted DM or a mention in a deleted message (a tombstone).
  DmMessageDeletedEvent,
  MessageDeletedEvent,
  z.object({ type: z.literal('read_state'), channel_id: Uuid.optional(), user_id: Uuid.optional(), seq: z.number().int() }),
  z.object({ type: z.literal('group_joined'), group: Group }),
  z.object({ type: z.literal('group_left'), group_id: Uuid }),
  z.object({ type: z.literal('group_updated'), group_id: Uuid, name: z.string(), description: z.string() }),
  z.object({ type: z.literal('group_deleted'), group_id: Uuid }),
  z.object({ type: z.literal('role_changed'), group_id: Uuid, role: Role }),
  z.object({ type: z.literal('channel_created'), channel: Channel }),
  z.object({ type: z.literal('channel_updated'), channel: Channel }),
  z.object({ type: z.literal('channel_deleted'), channel_id: Uuid, group_id: Uuid }),
  ...TaskMeEvents,
  ...BoardMeEvents,
  DocCreatedEvent,
  DocDeletedEvent,
  ResyncRequiredEvent,
]);
export type MeEvent = z.infer<typeof MeEvent>;
