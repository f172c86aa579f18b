import { and, eq } from 'drizzle-orm';
import type { Tx } from '../../db/client.ts';
import { events } from '../../db/schema/index.ts';

/** Event types whose payload is a whole message (its text included). */
const CARRIES_MESSAGE = new Set(['message', 'message_updated', 'dm_message', 'dm_message_updated']);

/** What became of a message: its present text, or its deletion notice (the tombstone). */
export type MessageChange = { edited: { content: string; edited_at: string } } | { deleted: object };

/**
 * Rewrites the stored events that carried a message's text, in the transaction that edits or
 * deletes it, so no replay (`last_event_id=0`, any stream: channel, DM pair, a user's own) can
 * show the past. After an edit they carry the present text; after a delete each becomes the
 * kind's deletion notice (`message_deleted` / `dm_message_deleted`), which every client already
 * handles by dropping the message (a tombstone needs no new event type and shows no empty
 * message). Sequences stay: a resuming client's position is unaffected.
 */
export async function redactPast(tx: Tx, messageId: string, change: MessageChange): Promise<void> {
  const rows = await tx
    .select({ stream: events.stream, seq: events.seq, payload: events.payload })
    .from(events)
    .where(eq(events.entityId, messageId))
    .for('update');
  for (const row of rows) {
    const next = rewrite(row.payload, change);
    if (next !== null)
      await tx
        .update(events)
        .set({ payload: next })
        .where(and(eq(events.stream, row.stream), eq(events.seq, row.seq)));
  }
}

/** The payload as it must read now, or null when it holds no text (reactions, deletion notices). */
export function rewrite(payload: string, change: MessageChange): string | null {
  const event = JSON.parse(payload) as { type: string; message?: Record<string, unknown> } & Record<string, unknown>;
  const carries = CARRIES_MESSAGE.has(event.type);
  const mention = event.type === 'mention' && event.message !== undefined;
  if (!carries && !mention) return null;
  if ('deleted' in change) return JSON.stringify(change.deleted);
  if (carries) return JSON.stringify({ ...event, ...change.edited });
  return JSON.stringify({ ...event, message: { ...event.message, ...change.edited } });
}
