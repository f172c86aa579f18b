import type { Board, BoardDetail, BoardStreamEvent, Card, Column } from '../../index.ts';
import { placeAfter, sortByPosition } from './order.ts';
import { upsertNewer } from './versions.ts';

/** A board as the server last said it is: what `boards.get` returned, with the stream applied. */
export interface BoardData {
  board: Board;
  columns: Column[];
  cards: Card[];
}

/** A change of mine on its way to the server, shown already (and dropped when it fails). */
export type BoardOp =
  | { kind: 'move-card'; cardId: string; columnId: string; afterId: string | null }
  | { kind: 'move-column'; columnId: string; afterId: string | null }
  | { kind: 'delete-card'; cardId: string };

/** A column as shown: its cards in order. */
export interface ShownColumn extends Column {
  cards: Card[];
}

export const boardData = ({ columns, cards, ...board }: BoardDetail): BoardData => ({ board, columns, cards });

/** One event of `realtime.board` applied (each carries the item's whole present state, so applying in order converges). */
export function applyBoardEvent(data: BoardData, e: BoardStreamEvent): BoardData {
  switch (e.type) {
    case 'board_updated':
      return { ...data, board: e.board };
    case 'column_created':
    case 'column_updated':
    case 'column_moved':
      return { ...data, columns: upsertNewer(data.columns, e.column) };
    case 'column_deleted':
      return { ...data, columns: data.columns.filter((c) => c.id !== e.id) };
    case 'card_created':
    case 'card_updated':
    case 'card_moved':
      return { ...data, cards: upsertNewer(data.cards, e.card) };
    case 'card_deleted':
      return { ...data, cards: data.cards.filter((c) => c.id !== e.id) };
    default:
      return data;
  }
}

/** The board as shown: columns and cards in `position` order, with my pending changes on top. */
export function showBoard(data: BoardData, ops: readonly BoardOp[]): ShownColumn[] {
  let columns = sortByPosition(data.columns);
  const lists = new Map(columns.map((c) => [c.id, [] as Card[]]));
  for (const card of sortByPosition(data.cards)) lists.get(card.column_id)?.push(card);
  for (const op of ops) {
    if (op.kind === 'move-column') {
      const column = columns.find((c) => c.id === op.columnId);
      if (column) columns = placeAfter(columns, column, op.afterId);
      continue;
    }
    const from = [...lists].find(([, cards]) => cards.some((c) => c.id === op.cardId));
    if (!from) continue;
    const card = from[1].find((c) => c.id === op.cardId)!;
    lists.set(
      from[0],
      from[1].filter((c) => c.id !== op.cardId),
    );
    if (op.kind === 'move-card' && lists.has(op.columnId))
      lists.set(op.columnId, placeAfter(lists.get(op.columnId)!, { ...card, column_id: op.columnId }, op.afterId));
    else if (op.kind === 'move-card') lists.set(from[0], from[1]); // the target column is gone: the card stays
  }
  return columns.map((c) => ({ ...c, cards: lists.get(c.id)! }));
}
