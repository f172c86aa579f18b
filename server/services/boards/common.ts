import { and, eq, sql, type SQL } from 'drizzle-orm';
import type * as wire from '../../../shared/boards.ts';
import type { Role } from '../../../shared/entities.ts';
import type { Tx } from '../../db/client.ts';
import { boardColumns, boards, cards, memberships } from '../../db/schema/index.ts';
import { notFound } from '../../errors.ts';
import { iso, presentGroupItem, type CollabDeps } from '../collab.ts';

export type BoardDeps = CollabDeps;

export type BoardRow = typeof boards.$inferSelect;
export type ColumnRow = typeof boardColumns.$inferSelect;
export type CardRow = typeof cards.$inferSelect;

export const presentBoard = (r: BoardRow): wire.Board => presentGroupItem(r);

export const presentColumn = (r: ColumnRow): wire.Column => ({ id: r.id, board_id: r.boardId, name: r.name, position: r.position });

export const presentCard = (r: CardRow): wire.Card => ({
  id: r.id,
  board_id: r.boardId,
  column_id: r.columnId,
  title: r.title,
  description: r.description,
  assignee_id: r.assigneeId,
  due_at: iso(r.dueAt),
  labels: r.labels,
  position: r.position,
  version: r.version,
  created_by: r.createdBy,
  created_at: r.createdAt.toISOString(),
  updated_at: r.updatedAt.toISOString(),
});

/**
 * The board and the caller's role in its group (NOT_FOUND for a non-member). With `lock`, the
 * board row stays locked until commit: every write to a board's columns and cards goes through
 * it, so neighbours are read consistently and two writers never compute the same key.
 */
export async function boardFor(tx: Tx, boardId: string, userId: string, lock = false): Promise<{ board: BoardRow; role: Role }> {
  const q = tx
    .select({ board: boards, role: memberships.role })
    .from(boards)
    .innerJoin(memberships, and(eq(memberships.groupId, boards.groupId), eq(memberships.userId, userId)))
    .where(eq(boards.id, boardId));
  const [row] = lock ? await q.for('update', { of: boards }) : await q;
  if (!row) throw notFound('Board');
  return row;
}

/**
 * Locks the board an item belongs to, found and locked in one statement; an item that is absent
 * or invisible to the caller is NOT_FOUND as `what`.
 */
async function lockBoardOf(tx: Tx, boardIdOf: SQL, userId: string, what: string) {
  const [row] = await tx
    .select({ board: boards, role: memberships.role })
    .from(boards)
    .innerJoin(memberships, and(eq(memberships.groupId, boards.groupId), eq(memberships.userId, userId)))
    .where(eq(boards.id, boardIdOf))
    .for('update', { of: boards });
  if (!row) throw notFound(what);
  return row;
}

/** A column with its board locked, read after the lock so it is current. */
export async function columnFor(tx: Tx, columnId: string, userId: string) {
  const { board, role } = await lockBoardOf(
    tx,
    sql`(select ${boardColumns.boardId} from ${boardColumns} where ${boardColumns.id} = ${columnId})`,
    userId,
    'Column',
  );
  const [column] = await tx.select().from(boardColumns).where(eq(boardColumns.id, columnId));
  if (!column) throw notFound('Column');
  return { board, role, column };
}

/** A card with its board locked, read after the lock so it is current. */
export async function cardFor(tx: Tx, cardId: string, userId: string) {
  const { board, role } = await lockBoardOf(tx, sql`(select ${cards.boardId} from ${cards} where ${cards.id} = ${cardId})`, userId, 'Card');
  const [card] = await tx.select().from(cards).where(eq(cards.id, cardId));
  if (!card) throw notFound('Card');
  return { board, role, card };
}
