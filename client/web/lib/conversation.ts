import {
  streamHandlers,
  type ChannelEvent,
  type ChannelType,
  type DmEvent,
  type File as StoredFile,
  type ParleyClient,
  type Reaction,
  type SignalPayload,
} from '../../index.ts';

/** A message as the views show it: a channel message or a direct message. */
export interface ChatMessage {
  id: string;
  seq: number;
  sender_id: string;
  sender_username: string;
  content: string;
  created_at: string;
  edited_at: string | null;
  reactions: Reaction[];
  /** `url` is null in live events (URLs are signed per viewer): see FileUrls. */
  attachments: StoredFile[];
}

export type SignalType = 'offer' | 'answer' | 'ice_candidate';

/** Channel and DM stream events, normalised to what a conversation view needs. */
export type ConversationEvent =
  | { kind: 'message'; message: ChatMessage }
  | { kind: 'updated'; message: ChatMessage }
  | { kind: 'deleted'; id: string }
  | { kind: 'reaction'; added: boolean; message_id: string; emoji: string; user_id: string; seq: number }
  | { kind: 'online'; user_ids: string[] }
  | { kind: 'joined' | 'left'; user_id: string; username: string }
  | { kind: 'typing'; user_id: string; username: string; is_typing: boolean }
  | { kind: 'signal'; type: SignalType; from_user_id: string; from_username: string; data: SignalPayload }
  | { kind: 'resync' };

export interface Page {
  items: ChatMessage[];
  next_before_seq: number | null;
}

/** What a conversation view talks to; a channel and a DM differ only behind this. */
export interface Conversation {
  key: string;
  title: string;
  /** Calls: 'video', 'audio' or none (TEXT channels). */
  call: 'video' | 'audio' | null;
  /** Who a call goes to when there is only one choice (the DM partner). */
  partner: { id: string; username: string } | null;
  loadPage(beforeSeq: number | null, limit: number): Promise<Page>;
  send(content: string, nonce: string, attachmentIds: string[]): Promise<ChatMessage>;
  edit(messageId: string, content: string): Promise<ChatMessage>;
  remove(messageId: string): Promise<unknown>;
  react(messageId: string, emoji: string, on: boolean): Promise<ChatMessage>;
  markRead(seq: number): Promise<unknown>;
  typing(isTyping: boolean): Promise<unknown>;
  signal(type: SignalType, data: SignalPayload, targetUserId: string): Promise<unknown>;
  /** Subscribes to the live stream (the stock client resumes it after a reconnect); returns the unsubscribe. */
  subscribe(onEvent: (e: ConversationEvent) => void, onError: (err: unknown) => void): () => void;
}

const signalType = (t: string): SignalType => t.replace(/^webrtc_/, '') as SignalType;

function fromChannelEvent(e: ChannelEvent): ConversationEvent | null {
  switch (e.type) {
    case 'message':
      return { kind: 'message', message: e };
    case 'message_updated':
      return { kind: 'updated', message: e };
    case 'message_deleted':
      return { kind: 'deleted', id: e.id };
    case 'reaction_added':
    case 'reaction_removed':
      return {
        kind: 'reaction',
        added: e.type === 'reaction_added',
        message_id: e.message_id,
        emoji: e.emoji,
        user_id: e.user_id,
        seq: e.seq,
      };
    case 'online_users':
      return { kind: 'online', user_ids: e.users };
    case 'user_joined':
      return { kind: 'joined', user_id: e.user_id, username: e.username };
    case 'user_left':
      return { kind: 'left', user_id: e.user_id, username: e.username };
    case 'typing':
      return { kind: 'typing', user_id: e.user_id, username: e.username, is_typing: e.is_typing };
    case 'webrtc_offer':
    case 'webrtc_answer':
    case 'webrtc_ice_candidate':
      return { kind: 'signal', type: signalType(e.type), from_user_id: e.from_user_id, from_username: e.from_username, data: e.data };
    case 'resync_required':
      return { kind: 'resync' };
    default:
      return null;
  }
}

function fromDmEvent(e: DmEvent): ConversationEvent | null {
  switch (e.type) {
    case 'dm_message':
      return { kind: 'message', message: e };
    case 'dm_message_updated':
      return { kind: 'updated', message: e };
    case 'dm_message_deleted':
      return { kind: 'deleted', id: e.id };
    case 'reaction_added':
    case 'reaction_removed':
      return {
        kind: 'reaction',
        added: e.type === 'reaction_added',
        message_id: e.message_id,
        emoji: e.emoji,
        user_id: e.user_id,
        seq: e.seq,
      };
    case 'dm_user_online':
      return { kind: 'joined', user_id: e.user_id, username: e.username };
    case 'dm_user_offline':
      return { kind: 'left', user_id: e.user_id, username: e.username };
    case 'dm_typing':
      return { kind: 'typing', user_id: e.user_id, username: e.username, is_typing: e.is_typing };
    case 'webrtc_offer':
    case 'webrtc_answer':
    case 'webrtc_ice_candidate':
      return { kind: 'signal', type: signalType(e.type), from_user_id: e.from_user_id, from_username: e.from_username, data: e.data };
    case 'resync_required':
      return { kind: 'resync' };
    default:
      return null;
  }
}

/** A group channel. */
export function channelConversation(api: ParleyClient, channel: { id: string; name: string; type: ChannelType }): Conversation {
  const channel_id = channel.id;
  return {
    key: `c:${channel_id}`,
    title: `#${channel.name}`,
    call: channel.type === 'VIDEO' ? 'video' : channel.type === 'VOICE' ? 'audio' : null,
    partner: null,
    loadPage: (before, limit) => api.messages.list.query({ channel_id, limit, ...(before === null ? {} : { before_seq: before }) }),
    send: (content, nonce, ids) => api.messages.send.mutate({ channel_id, content, nonce, ...(ids.length ? { attachment_ids: ids } : {}) }),
    edit: (message_id, content) => api.messages.edit.mutate({ message_id, content }),
    remove: (message_id) => api.messages.delete.mutate({ message_id }),
    react: (message_id, emoji, on) => (on ? api.messages.react : api.messages.unreact).mutate({ message_id, emoji }),
    markRead: (seq) => api.messages.markRead.mutate({ channel_id, seq }),
    typing: (is_typing) => api.realtime.typing.mutate({ channel_id, is_typing }),
    signal: (type, data, target_user_id) => api.realtime.signal.mutate({ channel_id, target_user_id, type, data }),
    subscribe(onEvent, onError) {
      const sub = api.realtime.channel.subscribe(
        { channel_id },
        streamHandlers({
          onEvent: (e) => {
            const mapped = fromChannelEvent(e);
            if (mapped) onEvent(mapped);
          },
          onError,
        }),
      );
      return () => sub.unsubscribe();
    },
  };
}

/** A one-to-one conversation with `partner`. */
export function dmConversation(api: ParleyClient, partner: { id: string; username: string }): Conversation {
  const user_id = partner.id;
  return {
    key: `d:${user_id}`,
    title: `@${partner.username}`,
    call: 'video',
    partner,
    loadPage: (before, limit) => api.dms.list.query({ user_id, limit, ...(before === null ? {} : { before_seq: before }) }),
    send: (content, nonce, ids) => api.dms.send.mutate({ user_id, content, nonce, ...(ids.length ? { attachment_ids: ids } : {}) }),
    edit: (message_id, content) => api.dms.edit.mutate({ message_id, content }),
    remove: (message_id) => api.dms.delete.mutate({ message_id }),
    react: (message_id, emoji, on) => (on ? api.dms.react : api.dms.unreact).mutate({ message_id, emoji }),
    markRead: (seq) => api.dms.markRead.mutate({ user_id, seq }),
    typing: (is_typing) => api.realtime.dmTyping.mutate({ user_id, is_typing }),
    signal: (type, data) => api.realtime.signal.mutate({ user_id, type, data }),
    subscribe(onEvent, onError) {
      const sub = api.realtime.dm.subscribe(
        { user_id },
        streamHandlers({
          onEvent: (e) => {
            const mapped = fromDmEvent(e);
            if (mapped) onEvent(mapped);
          },
          onError,
        }),
      );
      return () => sub.unsubscribe();
    },
  };
}
