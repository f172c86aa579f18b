import type * as wire from '../../../shared/entities.ts';
import type { Db } from '../../db/client.ts';
import { messages } from '../../db/schema/index.ts';
import type { Notifier } from '../../realtime/notifier.ts';
import { channelStream } from '../../realtime/streams.ts';
import type { Access } from '../groups/access.ts';
import type { EventLog } from '../../realtime/eventlog.ts';
import type { Attachments } from '../files/attachments.ts';
import { recordMentions } from './mentions.ts';
import { presentMessage } from '../present.ts';
import type { Caller } from '../caller.ts';
import type { SendRequest } from './send-batch.ts';

/**
 * A channel message that carries files. Rare next to plain text, so it skips the group commit:
 * one transaction locks the caller's uploads (NOT_FOUND / CONFLICT before anything is written),
 * inserts the message (its event's stored copy) and attaches the files. The event's files have no URL
 * (events are serialized once for every subscriber); the sender's reply has URLs signed for them.
 */
export function createAttachedSend(deps: { db: Db; access: Access; eventLog: EventLog; notifier: Notifier; attachments: Attachments }) {
  const { db, access, eventLog, notifier, attachments } = deps;

  return async function send(request: SendRequest & { attachmentIds: string[] }): Promise<wire.Message> {
    const { caller, channelId } = request;
    const { result, events } = await db.transaction(async (tx) => {
      const { channel } = await access.channelFor(channelId, caller.id, tx);
      const locked = await attachments.lockForAttach(tx, caller.id, request.attachmentIds);
      const stream = channelStream(channelId);
      const seq = await eventLog.reserve(tx, stream);
      const row = {
        id: Bun.randomUUIDv7(),
        channelId,
        seq,
        senderId: caller.id,
        content: request.content,
        nonce: request.nonce ?? null,
        createdAt: new Date(),
      };
      await tx.insert(messages).values(row);
      const attached = await attachments.attach(tx, 'message', row.id, locked);
      const present = (viewer: Caller | null) =>
        presentMessage({ ...row, editedAt: null }, caller.username, [], attachments.present(attached, viewer?.id ?? null));
      const shared = present(null);
      // The message row is the event's stored copy (see message-json.ts): only published from here.
      const event = { stream, seq, json: JSON.stringify({ type: 'message', ...shared }) };
      const mentioned = await recordMentions(tx, eventLog, shared, channel.groupId);
      return { result: present(caller), events: [event, ...mentioned] };
    });
    notifier.durable(events);
    return result;
  };
}
