import { and, eq } from 'drizzle-orm';
import type * as wire from '../../../shared/entities.ts';
import type { Db, Tx } from '../../db/client.ts';
import { forbidden } from '../../errors.ts';
import type { Notifier } from '../../realtime/notifier.ts';
import type { EventLog } from '../../realtime/eventlog.ts';
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
  deps: { db: Db; eventLog: EventLog; notifier: Notifier },
) {
  const { db, eventLog, notifier } = deps;
  const everyone = (list: wire.Reaction[] = []) => list.map((r) => ({ ...r, me: false }));

  return {
    async edit(caller: Caller, messageId: string, content: string): Promise<Wire> {
      const { result, event } = await db.transaction(async (tx) => {
        const { row, stream } = await kind.load(tx, messageId, caller.id);
        if (row.senderId !== caller.id) throw forbidden('Only the author may edit a message');
        const edited = { ...row, content, editedAt: new Date() };
        await kind.setContent(tx, row.id, content, edited.editedAt);
        const summary = (await reactionSummaries(tx, kind.reactions, [row.id], caller.id)).get(row.id);
        const event = await eventLog.append(tx, stream, () => ({
          type: kind.events.updated,
          ...(kind.present(edited, everyone(summary)) as object),
        }));
        return { result: kind.present(edited, summary ?? []), event };
      });
      notifier.durable([event]);
      return result;
    },

    async delete(caller: Caller, messageId: string): Promise<void> {
      const event = await db.transaction(async (tx) => {
        const { row, stream, moderator } = await kind.load(tx, messageId, caller.id);
        if (row.senderId !== caller.id && !moderator) throw forbidden('Only the author or a group owner/admin may delete a message');
        await kind.markDeleted(tx, row);
        return eventLog.append(tx, stream, () => ({ type: kind.events.deleted, id: row.id, seq: row.seq, ...kind.ref(row) }));
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
        return { result: kind.present(row, summary), event };
      });
      if (event) notifier.durable([event]);
      return result;
    },
  };
}

const matching = (table: ReactionTable, r: { messageId: string; userId: string; emoji: string }) =>
  and(eq(table.messageId, r.messageId), eq(table.userId, r.userId), eq(table.emoji, r.emoji));
