import { asc, eq } from 'drizzle-orm';
import { generateNKeysBetween } from 'fractional-indexing';
import type * as wire from '../../../shared/boards.ts';
import { boardColumns, boards, cards } from '../../db/schema/index.ts';
import { boardStream, userStream } from '../../realtime/streams.ts';
import { requireDeleter } from '../collab.ts';
import { memberIds } from '../groups/groups.ts';
import { boardFor, presentBoard, presentCard, presentColumn, type BoardDeps } from './common.ts';

const READ_SNAPSHOT = { isolationLevel: 'repeatable read', accessMode: 'read only' } as const;

/** A new board's columns when none are given (as on Trello). */
export const DEFAULT_COLUMNS = ['To do', 'Doing', 'Done'];

/** Boards of a group: create, list, get, rename, delete. */
export function createBoardOps({ database, access, eventLog, notifier }: BoardDeps) {
  const { db } = database;

  return {
    async create(userId: string, input: { groupId: string; name: string; columns?: string[] }): Promise<wire.BoardDetail> {
      const { detail, events } = await db.transaction(async (tx) => {
        await access.requireMember(input.groupId, userId, tx);
        const [row] = await tx.insert(boards).values({ groupId: input.groupId, name: input.name, createdBy: userId }).returning();
        const names = input.columns ?? DEFAULT_COLUMNS;
        const keys = generateNKeysBetween(null, null, names.length);
        const columns = names.length
          ? await tx
              .insert(boardColumns)
              .values(names.map((name, i) => ({ boardId: row!.id, name, position: keys[i]! })))
              .returning()
          : [];
        columns.sort((a, b) => (a.position < b.position ? -1 : 1));
        const board = presentBoard(row!);
        const streams = (await memberIds(tx, input.groupId)).map(userStream);
        const events = await eventLog.appendToAll(tx, streams, { type: 'board_created', board, group_id: input.groupId });
        return { detail: { ...board, columns: columns.map(presentColumn), cards: [] }, events };
      });
      notifier.durable(events);
      return detail;
    },

    async list(userId: string, groupId: string): Promise<wire.Board[]> {
      await access.requireMember(groupId, userId);
      const rows = await db.select().from(boards).where(eq(boards.groupId, groupId)).orderBy(asc(boards.createdAt), asc(boards.id));
      return rows.map(presentBoard);
    },

    /** The board with its columns in order and its cards in order (by column, then position). */
    async get(userId: string, boardId: string): Promise<wire.BoardDetail> {
      // Repeatable read: both statements see one snapshot, so columns and cards agree.
      return db.transaction(async (tx) => {
        const { board } = await boardFor(tx, boardId, userId);
        const [columns, rows] = [
          await tx.select().from(boardColumns).where(eq(boardColumns.boardId, boardId)).orderBy(asc(boardColumns.position)),
          await tx
            .select({ card: cards })
            .from(cards)
            .innerJoin(boardColumns, eq(boardColumns.id, cards.columnId))
            .where(eq(cards.boardId, boardId))
            .orderBy(asc(boardColumns.position), asc(cards.position)),
        ];
        return { ...presentBoard(board), columns: columns.map(presentColumn), cards: rows.map((r) => presentCard(r.card)) };
      }, READ_SNAPSHOT);
    },

    async rename(userId: string, input: { boardId: string; name: string }): Promise<wire.Board> {
      const { board, event } = await db.transaction(async (tx) => {
        await boardFor(tx, input.boardId, userId, true);
        const [row] = await tx.update(boards).set({ name: input.name }).where(eq(boards.id, input.boardId)).returning();
        const board = presentBoard(row!);
        return { board, event: await eventLog.append(tx, boardStream(board.id), () => ({ type: 'board_updated', board })) };
      });
      notifier.durable([event]);
      return board;
    },

    /** Deletes the board with its columns and cards; its stream is forgotten and its subscribers are ended. */
    async delete(userId: string, boardId: string): Promise<void> {
      const stream = boardStream(boardId);
      const events = await db.transaction(async (tx) => {
        const { board, role } = await boardFor(tx, boardId, userId, true);
        requireDeleter(board.createdBy, userId, role, 'board');
        await tx.delete(boards).where(eq(boards.id, boardId));
        await eventLog.purge(tx, [stream]);
        const streams = (await memberIds(tx, board.groupId)).map(userStream);
        return eventLog.appendToAll(tx, streams, { type: 'board_deleted', board_id: boardId, group_id: board.groupId });
      });
      notifier.control({ kind: 'stream_deleted', stream, what: 'Board' });
      notifier.durable(events);
    },
  };
}
