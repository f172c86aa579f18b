import { and, eq, inArray } from 'drizzle-orm';
import type * as wire from '../../../shared/entities.ts';
import type { Tx } from '../../db/client.ts';
import { memberships, mentions, users } from '../../db/schema/index.ts';
import { userStream, type StreamEvent } from '../../realtime/streams.ts';
import type { EventLog } from '../../realtime/eventlog.ts';

const MENTION = /(?:^|[^\w@.-])@([a-z0-9_.-]{3,32})/gi;

/** Usernames named with `@username` in `content` (lower-cased, without a sentence's trailing dots). */
export function mentionedUsernames(content: string): string[] {
  const names = new Set<string>();
  for (const m of content.matchAll(MENTION)) {
    const name = m[1]!.toLowerCase();
    names.add(name);
    const trimmed = name.replace(/\.+$/, '');
    if (trimmed.length >= 3) names.add(trimmed);
  }
  return [...names];
}

/**
 * Records the mentions of group members in a new message and tells each of them on their own
 * stream, inside the message's transaction. Naming oneself or a non-member mentions nobody.
 */
export async function recordMentions(tx: Tx, eventLog: EventLog, message: wire.Message, groupId: string): Promise<StreamEvent[]> {
  if (!message.content.includes('@')) return [];
  const names = mentionedUsernames(message.content);
  if (!names.length) return [];
  const named = await tx
    .select({ id: users.id })
    .from(users)
    .innerJoin(memberships, and(eq(memberships.userId, users.id), eq(memberships.groupId, groupId)))
    .where(inArray(users.username, names));
  const targets = named.map((u) => u.id).filter((id) => id !== message.sender_id);
  if (!targets.length) return [];
  await tx
    .insert(mentions)
    .values(targets.map((userId) => ({ messageId: message.id, userId, channelId: message.channel_id, groupId, seq: message.seq })));
  return eventLog.appendToAll(tx, targets.map(userStream), { type: 'mention', message, group_id: groupId });
}
