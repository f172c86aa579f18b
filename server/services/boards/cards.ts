import { and, asc, count, eq, inArray, sql } from 'drizzle-orm';
import type * as wire from '../../../shared/boards.ts';
import { LIMITS } from '../../../shared/limits.ts';
import type { Tx } from '../../db/client.ts';
import { boardColumns, boards, cards } from '../../db/schema/index.ts';
import { badRequest, conflict, notFound } from '../../errors.ts';
import { boardStream, userStream, type StreamEvent } from '../../realtime/streams.ts';
import { dateOf, requireAssignee, requireDeleter } from '../collab.ts';
import { CARD_ORDER } from '../ordering.ts';
import { cardFor, columnFor, presentCard, type BoardDeps, type CardRow } from './common.ts';

export interface CardPatch {
  cardId: string;
  title?: string;
  description?: string;
  assigneeId?: string | null;
  dueAt?: string | null;
  labels?: string[];
  expectedVersion?: number;
}

function checkVersion(card: { version: number }, expected: number | undefined) {
  if (expected !== undefined && expected !== card.version)
    throw conflict(`The card changed (version ${card.version}, expected ${expected}); reload and retry`);
}

/** Cards: create, update, move (within and across columns), delete; every change is an event on the board's stream. */
export function createCardOps({ database, eventLog, notifier, ordering }: BoardDeps) {
  const { db } = database;

  /** Rebalances the card's column when `key` grew long; returns the card as it stands and the other cards' moves. */
  async function settle(tx: Tx, row: CardRow, key: string) {
    const changed = await ordering.rebalanceIfLong(tx, CARD_ORDER, row.columnId, key);
    if (!changed.length) return { row, moved: [] as StreamEvent[] };
    const rows = await tx.select().from(cards).where(inArray(cards.id, changed)).orderBy(asc(cards.position));
    const moved: StreamEvent[] = [];
    for (const r of rows)
      if (r.id !== row.id)
        moved.push(await eventLog.append(tx, boardStream(r.boardId), () => ({ type: 'card_moved', card: presentCard(r) })));
    return { row: rows.find((r) => r.id === row.id) ?? row, moved };
  }

  const assigned = (tx: Tx, card: wire.Card, groupId: string) =>
    eventLog.append(tx, userStream(card.assignee_id!), () => ({ type: 'card_assigned', card, group_id: groupId }));

  return {
    /** Appends a card at the end of its column. */
    async create(
      userId: string,
      input: { columnId: string; title: string; description?: string; assigneeId?: string; dueAt?: string; labels?: string[] },
    ): Promise<wire.Card> {
      const { card, events } = await db.transaction(async (tx) => {
        const { board, column } = await columnFor(tx, input.columnId, userId);
        const [n] = await tx.select({ n: count() }).from(cards).where(eq(cards.boardId, board.id));
        if (n!.n >= LIMITS.cardsPerBoard) throw badRequest(`A board has at most ${LIMITS.cardsPerBoard} cards`);
        if (input.assigneeId) await requireAssignee(tx, board.groupId, input.assigneeId);
        const key = await ordering.end(tx, CARD_ORDER, column.id);
        const [inserted] = await tx
          .insert(cards)
          .values({
            boardId: board.id,
            columnId: column.id,
            title: input.title,
            description: input.description ?? '',
            assigneeId: input.assigneeId ?? null,
            dueAt: dateOf(input.dueAt) ?? null,
            labels: input.labels ?? [],
            position: key,
            createdBy: userId,
          })
          .returning();
        const { row, moved } = await settle(tx, inserted!, key);
        const card = presentCard(row);
        const events = [...moved, await eventLog.append(tx, boardStream(board.id), () => ({ type: 'card_created', card }))];
        if (card.assignee_id) events.push(await assigned(tx, card, board.groupId));
        return { card, events };
      });
      notifier.durable(events);
      return card;
    },

    async update(userId: string, patch: CardPatch): Promise<wire.Card> {
      const { cardId } = patch;
      const { card, events } = await db.transaction(async (tx) => {
        const { board, card: current } = await cardFor(tx, cardId, userId);
        checkVersion(current, patch.expectedVersion);
        // Nothing to change is not a change: no new version, no event.
        const { cardId: _, expectedVersion: __, ...fields } = patch;
        if (Object.values(fields).every((v) => v === undefined)) return { card: presentCard(current), events: [] };
        if (patch.assigneeId) await requireAssignee(tx, board.groupId, patch.assigneeId);
        const [row] = await tx
          .update(cards)
          .set({
            ...(patch.title !== undefined && { title: patch.title }),
            ...(patch.description !== undefined && { description: patch.description }),
            ...(patch.assigneeId !== undefined && { assigneeId: patch.assigneeId }),
            ...(patch.dueAt !== undefined && { dueAt: dateOf(patch.dueAt) }),
            ...(patch.labels !== undefined && { labels: patch.labels }),
            version: sql`${cards.version} + 1`,
            updatedAt: new Date(),
          })
          .where(eq(cards.id, cardId))
          .returning();
        const card = presentCard(row!);
        const events = [await eventLog.append(tx, boardStream(board.id), () => ({ type: 'card_updated', card }))];
        if (card.assignee_id && card.assignee_id !== current.assigneeId) events.push(await assigned(tx, card, board.groupId));
        return { card, events };
      });
      notifier.durable(events);
      return card;
    },

    /** Puts the card in `columnId` right after `afterId` (null: top); only this card's row is rewritten (bar a rebalance). */
    async move(
      userId: string,
      input: { cardId: string; columnId: string; afterId?: string | null; expectedVersion?: number },
    ): Promise<wire.Card> {
      if (input.afterId === input.cardId) throw badRequest('A card cannot be moved after itself');
      const { card, events } = await db.transaction(async (tx) => {
        const { board, card: current } = await cardFor(tx, input.cardId, userId);
        checkVersion(current, input.expectedVersion);
        const [target] = await tx
          .select({ id: boardColumns.id })
          .from(boardColumns)
          .where(and(eq(boardColumns.id, input.columnId), eq(boardColumns.boardId, board.id)));
        if (!target) throw notFound('Column');
        const key = await ordering.after(tx, CARD_ORDER, target.id, input.afterId ?? null, current.id);
        const [updated] = await tx
          .update(cards)
          .set({ columnId: target.id, position: key, version: sql`${cards.version} + 1`, updatedAt: new Date() })
          .where(eq(cards.id, current.id))
          .returning();
        const { row, moved } = await settle(tx, updated!, key);
        const card = presentCard(row);
        return { card, events: [...moved, await eventLog.append(tx, boardStream(board.id), () => ({ type: 'card_moved', card }))] };
      });
      notifier.durable(events);
      return card;
    },

    async delete(userId: string, cardId: string): Promise<void> {
      const event = await db.transaction(async (tx) => {
        const { board, role, card } = await cardFor(tx, cardId, userId);
        requireDeleter(card.createdBy, userId, role, 'card');
        await tx.delete(cards).where(eq(cards.id, cardId));
        return eventLog.append(tx, boardStream(board.id), () => ({
          type: 'card_deleted',
          id: cardId,
          board_id: board.id,
          column_id: card.columnId,
        }));
      });
      notifier.durable([event]);
    },

    /** Unassigns a departing member's cards in a group inside the removal's transaction (boards locked in id order first). */
    async unassignMember(tx: Tx, groupId: string, memberId: string): Promise<StreamEvent[]> {
      const owned = await tx
        .select({ id: boards.id })
        .from(boards)
        .where(eq(boards.groupId, groupId))
        .orderBy(asc(boards.id))
        .for('update');
      if (!owned.length) return [];
      const rows = await tx
        .update(cards)
        .set({ assigneeId: null, version: sql`${cards.version} + 1`, updatedAt: new Date() })
        .where(
          and(
            eq(cards.assigneeId, memberId),
            inArray(
              cards.boardId,
              owned.map((b) => b.id),
            ),
          ),
        )
        .returning();
      rows.sort((a, b) => (a.boardId < b.boardId ? -1 : a.boardId > b.boardId ? 1 : a.position < b.position ? -1 : 1));
      const events: StreamEvent[] = [];
      for (const r of rows)
        events.push(await eventLog.append(tx, boardStream(r.boardId), () => ({ type: 'card_updated', card: presentCard(r) })));
      return events;
    },
  };
}
