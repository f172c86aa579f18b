import { eq } from 'drizzle-orm';
import type { Tx } from '../../db/client.ts';
import { boards } from '../../db/schema/index.ts';
import type { BoardStreamEvent } from '../../../shared/boards.ts';
import type { LiveSource } from '../../realtime/sink.ts';
import { boardStream } from '../../realtime/streams.ts';
import { createBoardOps } from './boards.ts';
import { createCardOps } from './cards.ts';
import { createColumnOps } from './columns.ts';
import { boardFor, type BoardDeps } from './common.ts';

export type { BoardDeps } from './common.ts';

/** Kanban boards, columns and cards (CONTRACT.md "Kanban boards"), with the board's live stream. */
export function createBoardService(deps: BoardDeps) {
  const { database, hub } = deps;
  return {
    ...createBoardOps(deps),
    ...createColumnOps(deps),
    cards: createCardOps(deps),

    /** Stream keys of a group's boards (forgotten when the group is deleted). */
    async streamsOf(tx: Tx, groupId: string): Promise<string[]> {
      const rows = await tx.select({ id: boards.id }).from(boards).where(eq(boards.groupId, groupId));
      return rows.map((r) => boardStream(r.id));
    },

    /** `realtime.board`: the board's durable stream, resumable; ends when the caller leaves the group or the board is deleted. */
    async stream(caller: { id: string }, boardId: string, lastEventId: number | null): Promise<LiveSource<BoardStreamEvent, never>> {
      const { board } = await boardFor(database.db, boardId, caller.id);
      return {
        userId: caller.id,
        open: (sink) =>
          hub.attach(boardStream(boardId), sink, {
            lastEventId,
            groupId: board.groupId,
            // Re-checked after attaching: a removal or deletion in between is not missed.
            prelude: async () => (await boardFor(database.db, boardId, caller.id), []),
          }),
      };
    },
  };
}

export type BoardService = ReturnType<typeof createBoardService>;
