import { asc, count, eq, inArray, sql } from 'drizzle-orm';
import { generateNKeysBetween } from 'fractional-indexing';
import type * as wire from '../../../shared/boards.ts';
import { LIMITS } from '../../../shared/limits.ts';
import type { Tx } from '../../db/client.ts';
import { boardColumns, cards } from '../../db/schema/index.ts';
import { badRequest, conflict, notFound } from '../../errors.ts';
import { boardStream, type StreamEvent } from '../../realtime/streams.ts';
import { requireDeleter } from '../collab.ts';
import { CARD_ORDER, COLUMN_ORDER } from '../ordering.ts';
import { boardFor, columnFor, presentCard, presentColumn, type BoardDeps, type ColumnRow } from './common.ts';

/** Columns of a board: add, rename, move, delete (a column with cards needs somewhere to put them). */
export function createColumnOps({ database, eventLog, notifier, ordering }: BoardDeps) {
  const { db } = database;

  /** Rebalances the board's columns when `key` grew long; returns the column as it stands and the other columns' moves. */
  async function settle(tx: Tx, row: ColumnRow, key: string) {
    const changed = await ordering.rebalanceIfLong(tx, COLUMN_ORDER, row.boardId, key);
    if (!changed.length) return { row, moved: [] as StreamEvent[] };
    const rows = await tx.select().from(boardColumns).where(inArray(boardColumns.id, changed)).orderBy(asc(boardColumns.position));
    const moved: StreamEvent[] = [];
    for (const r of rows)
      if (r.id !== row.id)
        moved.push(await eventLog.append(tx, boardStream(r.boardId), () => ({ type: 'column_moved', column: presentColumn(r) })));
    return { row: rows.find((r) => r.id === row.id) ?? row, moved };
  }

  return {
    async addColumn(userId: string, input: { boardId: string; name: string }): Promise<wire.Column> {
      const { column, events } = await db.transaction(async (tx) => {
        const { board } = await boardFor(tx, input.boardId, userId, true);
        const [n] = await tx.select({ n: count() }).from(boardColumns).where(eq(boardColumns.boardId, board.id));
        if (n!.n >= LIMITS.columnsPerBoard) throw badRequest(`A board has at most ${LIMITS.columnsPerBoard} columns`);
        const key = await ordering.end(tx, COLUMN_ORDER, board.id);
        const [inserted] = await tx.insert(boardColumns).values({ boardId: board.id, name: input.name, position: key }).returning();
        const { row, moved } = await settle(tx, inserted!, key);
        const column = presentColumn(row);
        return { column, events: [...moved, await eventLog.append(tx, boardStream(board.id), () => ({ type: 'column_created', column }))] };
      });
      notifier.durable(events);
      return column;
    },

    async updateColumn(userId: string, input: { columnId: string; name: string }): Promise<wire.Column> {
      const { column, event } = await db.transaction(async (tx) => {
        const { board } = await columnFor(tx, input.columnId, userId);
        const [row] = await tx.update(boardColumns).set({ name: input.name }).where(eq(boardColumns.id, input.columnId)).returning();
        const column = presentColumn(row!);
        return { column, event: await eventLog.append(tx, boardStream(board.id), () => ({ type: 'column_updated', column })) };
      });
      notifier.durable([event]);
      return column;
    },

    async moveColumn(userId: string, input: { columnId: string; afterId?: string | null }): Promise<wire.Column> {
      if (input.afterId === input.columnId) throw badRequest('A column cannot be moved after itself');
      const { column, events } = await db.transaction(async (tx) => {
        const { board, column: current } = await columnFor(tx, input.columnId, userId);
        const key = await ordering.after(tx, COLUMN_ORDER, board.id, input.afterId ?? null, current.id);
        const [updated] = await tx.update(boardColumns).set({ position: key }).where(eq(boardColumns.id, current.id)).returning();
        const { row, moved } = await settle(tx, updated!, key);
        const column = presentColumn(row);
        return { column, events: [...moved, await eventLog.append(tx, boardStream(board.id), () => ({ type: 'column_moved', column }))] };
      });
      notifier.durable(events);
      return column;
    },

    /**
     * Deletes a column. Its cards are CONFLICT unless `moveCardsTo` names another column of the
     * board, where they are appended in their order (one `card_moved` each) before the column goes.
     */
    async deleteColumn(userId: string, input: { columnId: string; moveCardsTo?: string }): Promise<void> {
      if (input.moveCardsTo === input.columnId) throw badRequest('move_cards_to must be another column');
      const events = await db.transaction(async (tx) => {
        const { board, role, column } = await columnFor(tx, input.columnId, userId);
        requireDeleter(board.createdBy, userId, role, 'column');
        const stream = boardStream(board.id);
        const inside = await tx.select().from(cards).where(eq(cards.columnId, column.id)).orderBy(asc(cards.position));
        const events: StreamEvent[] = [];
        if (inside.length) {
          if (!input.moveCardsTo) throw conflict('The column has cards: give move_cards_to, or move or delete them first');
          const [target] = await tx.select().from(boardColumns).where(eq(boardColumns.id, input.moveCardsTo));
          if (!target || target.boardId !== board.id) throw notFound('Column');
          const first = await ordering.end(tx, CARD_ORDER, target.id);
          const keys = [first, ...generateNKeysBetween(first, null, inside.length - 1)];
          const values = sql.join(
            inside.map((c, i) => sql`(${c.id}::uuid, ${keys[i]!})`),
            sql`, `,
          );
          await database.rows(
            sql`update cards as x set column_id = ${target.id}, position = v.position, version = x.version + 1, updated_at = now()
                from (values ${values}) as v(id, position) where x.id = v.id`,
            tx,
          );
          const changed = await ordering.rebalanceIfLong(tx, CARD_ORDER, target.id, keys.at(-1)!);
          const ids = [...new Set([...inside.map((c) => c.id), ...changed])];
          const moved = await tx.select().from(cards).where(inArray(cards.id, ids)).orderBy(asc(cards.position));
          for (const c of moved) events.push(await eventLog.append(tx, stream, () => ({ type: 'card_moved', card: presentCard(c) })));
        }
        await tx.delete(boardColumns).where(eq(boardColumns.id, column.id));
        events.push(await eventLog.append(tx, stream, () => ({ type: 'column_deleted', id: column.id, board_id: board.id })));
        return events;
      });
      notifier.durable(events);
    },
  };
}
