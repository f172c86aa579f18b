import { expect, test } from 'bun:test';
import type { ChannelEvent } from '../shared/events.ts';
import { streamHandlers } from './streams.ts';

const [channelId, aliceId, bobId] = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];

test('flattens tracked events to (event, seq) and passes untracked ones with seq null', () => {
  const got: Array<[unknown, number | null]> = [];
  const h = streamHandlers<ChannelEvent>({ onEvent: (e, seq) => got.push([e, seq]) });
  const message = {
    type: 'message' as const,
    id: crypto.randomUUID(),
    seq: 42,
    channel_id: channelId,
    sender_id: aliceId,
    sender_username: 'alice',
    content: 'hi',
    created_at: new Date().toISOString(),
    edited_at: null,
    reactions: [],
    attachments: [],
  };
  const typing = { type: 'typing' as const, user_id: bobId, username: 'bob', is_typing: true, channel_id: channelId };
  // A WebRTC event has `data` of its own: still an untracked event, not an envelope.
  const offer = {
    type: 'webrtc_offer' as const,
    from_user_id: bobId,
    from_username: 'bob',
    channel_id: channelId,
    data: { id: '1' },
  };
  const deleted = { type: 'message_deleted' as const, id: message.id, seq: 42, channel_id: channelId };
  h.onData({ id: '42', data: message });
  h.onData(typing);
  h.onData(offer);
  h.onData({ id: '43', data: deleted });
  h.onData(deleted);
  expect(got).toEqual([
    [message, 42],
    [typing, null],
    [offer, null],
    [deleted, 43],
    [deleted, null],
  ]);
});
