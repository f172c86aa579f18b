import { and, eq } from 'drizzle-orm';
import type * as wire from '../../../shared/entities.ts';
import type { Db, Tx } from '../../db/client.ts';
import { forbidden } from '../../errors.ts';
import type { Notifier } from '../../realtime/notifier.ts';
import type { EventLog } from '../../realtime/eventlog.ts';
import { redactPast } from './redact.ts';
import type { AttachmentKind, Attachments } from '../files/attachments.ts';
import { reactionSummaries, type ReactionTable } from './reactions.ts';
import type { Caller } from '../caller.ts';

/** The columns every message kind shares, as loaded for a change. */
export interface MessageRow {
  id: string;
  seq: number;
  senderId: string;
  senderUsername: string;
  content: string;
  createdAt: Date;
  editedAt: Date | null;
}

/** What differs between channel messages and direct messages; message-kinds.ts has both. */
export interface MessageKind<Row extends MessageRow, Wire> {
  reactions: ReactionTable;
  /** Where this kind's attachments hang off the files table. */
  attachments: AttachmentKind;
  /** A live message the caller can see, locked for the change (NOT_FOUND otherwise). */
  load(tx: Tx, messageId: string, callerId: string): Promise<{ row: Row; stream: string; moderator: boolean }>;
  setContent(tx: Tx, id: string, content: string, editedAt: Date): Promise<void>;
  markDeleted(tx: Tx, row: Row): Promise<void>;
  present(row: Row, reactions: wire.Reaction[]): Wire;
  events: { updated: string; deleted: string };
  /** Fields that locate the stream in every event (`channel_id` for channels, none for DMs). */
  ref(row: Row): Record<string, string>;
}

/**
 * Edit, delete and react for any message kind. Each change is a durable event with its own
 * sequence in the message's stream, committed with the change and published after it.
 */
export function createMessageOps<Row extends MessageRow, Wire>(
  kind: MessageKind<Row, Wire>,
  deps: { db: Db; eventLog: EventLog; notifier: Notifier; attachments: Attachments },
) {
  const { db, eventLog, notifier, attachments } = deps;
  /** The wire message with its attachments: URLs signed for `viewerId`, or none (events). */
  const withFiles = async (tx: Tx, wire: Wire, id: string, viewerId: string | null): Promise<Wire> =>
    ({ ...wire, attachments: (await attachments.load(kind.attachments, [id], viewerId, tx)).get(id) ?? [] }) as Wire;
  const everyone = (list: wire.Reaction[] = []) => list.map((r) => ({ ...r, me: false }));

  return {
    async edit(caller: Caller, messageId: string, content: string): Promise<Wire> {
      const { result, event } = await db.transaction(async (tx) => {
        const { row, stream } = await kind.load(tx, messageId, caller.id);
        if (row.senderId !== caller.id) throw forbidden('Only the author may edit a message');
        const edited = { ...row, content, editedAt: new Date() };
        await kind.setContent(tx, row.id, content, edited.editedAt);
        // The earlier events of this message now carry its present text: a replay never shows the past.
        await redactPast(tx, row.id, { edited: { content, edited_at: edited.editedAt.toISOString() } });
        const summary = (await reactionSummaries(tx, kind.reactions, [row.id], caller.id)).get(row.id);
        const shared = await withFiles(tx, kind.present(edited, everyone(summary)), row.id, null);
        const event = await eventLog.append(tx, stream, () => ({ type: kind.events.updated, ...(shared as object) }), undefined, row.id);
        return { result: await withFiles(tx, kind.present(edited, summary ?? []), row.id, caller.id), event };
      });
      notifier.durable([event]);
      return result;
    },

    async delete(caller: Caller, messageId: string): Promise<void> {
      const event = await db.transaction(async (tx) => {
        const { row, stream, moderator } = await kind.load(tx, messageId, caller.id);
        if (row.senderId !== caller.id && !moderator) throw forbidden('Only the author or a group owner/admin may delete a message');
        await kind.markDeleted(tx, row);
        // Its files stop being served now; the sweeper removes their bytes.
        await attachments.markDeleted(tx, kind.attachments, row.id);
        const notice = { type: kind.events.deleted, id: row.id, seq: row.seq, ...kind.ref(row) };
        // Every earlier event that carried the text becomes this notice (a tombstone).
        await redactPast(tx, row.id, { deleted: notice });
        return eventLog.append(tx, stream, () => notice, undefined, row.id);
      });
      notifier.durable([event]);
    },

    /** Adds or removes the caller's reaction; repeating either is a no-op without an event. */
    async react(caller: Caller, messageId: string, emoji: string, add: boolean): Promise<Wire> {
      const { result, event } = await db.transaction(async (tx) => {
        const { row, stream } = await kind.load(tx, messageId, caller.id);
        const table = kind.reactions;
        const mine = { messageId: row.id, userId: caller.id, emoji };
        const changed = add
          ? await tx.insert(table).values(mine).onConflictDoNothing().returning({ emoji: table.emoji })
          : await tx.delete(table).where(matching(table, mine)).returning({ emoji: table.emoji });
        const event = changed.length
          ? await eventLog.append(tx, stream, (seq) => ({
              type: add ? 'reaction_added' : 'reaction_removed',
              message_id: row.id,
              emoji,
              user_id: caller.id,
              ...kind.ref(row),
              seq,
            }))
          : null;
        const summary = (await reactionSummaries(tx, table, [row.id], caller.id)).get(row.id) ?? [];
        return { result: await withFiles(tx, kind.present(row, summary), row.id, caller.id), event };
      });
      if (event) notifier.durable([event]);
      return result;
    },
  };
}

const matching = (table: ReactionTable, r: { messageId: string; userId: string; emoji: string }) =>
  and(eq(table.messageId, r.messageId), eq(table.userId, r.userId), eq(table.emoji, r.emoji));
