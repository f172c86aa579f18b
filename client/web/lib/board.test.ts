import { describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import { generateKeyBetween } from 'fractional-indexing';
import type { Board, BoardStreamEvent, Card, Column } from '../../index.ts';
import { applyBoardEvent, showBoard, type BoardData, type BoardOp } from './board.ts';
import { sortByPosition } from './order.ts';

const BOARD: Board = { id: 'b', group_id: 'g', name: 'Release', created_by: 'u', created_at: '2030-01-01T00:00:00Z' };

/** A board server in miniature: the same keys (fractional-indexing) and the same events as the real one. */
class Server {
  columns: Column[] = [];
  cards: Card[] = [];
  log: BoardStreamEvent[] = [];
  private n = 0;

  constructor(columnNames: string[]) {
    let key: string | null = null;
    for (const name of columnNames)
      this.columns.push({ id: `col-${name}`, board_id: 'b', name, position: (key = generateKeyBetween(key, null)) });
  }

  snapshot(): BoardData {
    return structuredClone({ board: BOARD, columns: this.columns, cards: this.cards });
  }

  /** The key after `afterId` (null: first) among `siblings`, the moved item left out. */
  private keyAfter(siblings: { id: string; position: string }[], afterId: string | null, self: string) {
    const rest = sortByPosition(siblings.filter((s) => s.id !== self));
    const at = afterId === null ? -1 : rest.findIndex((s) => s.id === afterId);
    return generateKeyBetween(at < 0 ? null : rest[at]!.position, rest[at + 1]?.position ?? null);
  }

  create(columnId: string) {
    const siblings = sortByPosition(this.cards.filter((c) => c.column_id === columnId));
    const card: Card = {
      id: `card-${++this.n}`,
      board_id: 'b',
      column_id: columnId,
      title: `Card ${this.n}`,
      description: '',
      assignee_id: null,
      due_at: null,
      labels: [],
      position: generateKeyBetween(siblings.at(-1)?.position ?? null, null),
      version: 1,
      created_by: 'u',
      created_at: '',
      updated_at: '',
    };
    this.cards.push(card);
    this.log.push({ type: 'card_created', card: { ...card } });
  }

  move(cardId: string, columnId: string, afterId: string | null): Card {
    const card = this.cards.find((c) => c.id === cardId)!;
    card.position = this.keyAfter(
      this.cards.filter((c) => c.column_id === columnId),
      afterId,
      cardId,
    );
    card.column_id = columnId;
    card.version++;
    this.log.push({ type: 'card_moved', card: { ...card } });
    return { ...card };
  }

  rename(cardId: string) {
    const card = this.cards.find((c) => c.id === cardId)!;
    card.title += '!';
    card.version++;
    this.log.push({ type: 'card_updated', card: { ...card } });
  }

  remove(cardId: string) {
    const card = this.cards.find((c) => c.id === cardId)!;
    this.cards = this.cards.filter((c) => c.id !== cardId);
    this.log.push({ type: 'card_deleted', id: cardId, board_id: 'b', column_id: card.column_id });
  }

  moveColumn(columnId: string, afterId: string | null): Column {
    const column = this.columns.find((c) => c.id === columnId)!;
    column.position = this.keyAfter(this.columns, afterId, columnId);
    this.log.push({ type: 'column_moved', column: { ...column } });
    return { ...column };
  }
}

const shape = (data: BoardData, ops: BoardOp[] = []) =>
  showBoard(data, ops).map((c) => ({ id: c.id, name: c.name, cards: c.cards.map((x) => `${x.id}:${x.title}`) }));

/** A random board history: each step picks what to do from a number. */
function play(server: Server, steps: number[]) {
  for (const r of steps) {
    const cards = server.cards;
    const column = server.columns[r % server.columns.length]!;
    const card = cards.length ? cards[r % cards.length]! : null;
    const kind = r % 7;
    if (!card || kind === 0) server.create(column.id);
    else if (kind <= 2) {
      const siblings = cards.filter((c) => c.column_id === column.id && c.id !== card.id);
      server.move(card.id, column.id, siblings.length && r % 3 ? siblings[(r >> 3) % siblings.length]!.id : null);
    } else if (kind === 3) server.rename(card.id);
    else if (kind === 4) server.remove(card.id);
    else {
      const others = server.columns.filter((c) => c.id !== column.id);
      server.moveColumn(column.id, r % 2 ? null : others[(r >> 4) % others.length]!.id);
    }
  }
}

describe('a board kept by the stream', () => {
  test('a client that subscribed, read the board later and applied what it held ends equal to a fresh read', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(10_000), { minLength: 1, maxLength: 60 }), fc.nat(), (steps, a) => {
        const server = new Server(['To do', 'Doing', 'Done']);
        play(server, steps.slice(0, steps.length >> 1));
        // Subscribed at `attach`; the read saw the board at `read` (later); events after `attach` were held.
        const attach = server.log.length;
        play(server, steps.slice(steps.length >> 1, (steps.length >> 1) + (a % 10)));
        const read = server.snapshot();
        play(server, steps.slice((steps.length >> 1) + (a % 10)));
        const client = server.log.slice(attach).reduce(applyBoardEvent, read);
        expect(shape(client)).toEqual(shape(server.snapshot()));
      }),
      { numRuns: 300 },
    );
  });

  test('a pending move shows exactly where the server will put it', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(10_000), { minLength: 5, maxLength: 40 }), fc.nat(), fc.nat(), (steps, pick, where) => {
        const server = new Server(['To do', 'Doing', 'Done']);
        play(server, steps);
        if (!server.cards.length) return;
        const before = server.snapshot();
        const card = server.cards[pick % server.cards.length]!;
        const target = server.columns[where % server.columns.length]!;
        const siblings = sortByPosition(server.cards.filter((c) => c.column_id === target.id && c.id !== card.id));
        const afterId = siblings.length && where % 4 ? siblings[(where >> 2) % siblings.length]!.id : null;
        const op: BoardOp = { kind: 'move-card', cardId: card.id, columnId: target.id, afterId };
        const shown = shape(before, [op]);
        const moved = server.move(card.id, target.id, afterId);
        expect(shown).toEqual(shape(server.snapshot()));
        // The reply and its event change nothing more.
        expect(shape(applyBoardEvent(before, { type: 'card_moved', card: moved }))).toEqual(shown);
      }),
      { numRuns: 300 },
    );
  });

  test('an older copy of a card (a late event after a newer reply) does not undo the newer one', () => {
    const server = new Server(['To do', 'Doing']);
    server.create('col-To do');
    const start = server.snapshot();
    const moved = server.move('card-1', 'col-Doing', null);
    const renamed = { ...moved, title: 'Renamed', version: moved.version + 1 };
    let data = applyBoardEvent(start, { type: 'card_updated', card: renamed });
    data = applyBoardEvent(data, { type: 'card_moved', card: moved });
    expect(shape(data)[1]!.cards).toEqual(['card-1:Renamed']);
  });

  test('pending column moves and card deletes show at once; a move to a deleted column leaves the card', () => {
    const server = new Server(['A', 'B', 'C']);
    server.create('col-A');
    server.create('col-A');
    const data = server.snapshot();
    const ops: BoardOp[] = [
      { kind: 'move-column', columnId: 'col-C', afterId: null },
      { kind: 'delete-card', cardId: 'card-1' },
      { kind: 'move-card', cardId: 'card-2', columnId: 'gone', afterId: null },
    ];
    expect(shape(data, ops)).toEqual([
      { id: 'col-C', name: 'C', cards: [] },
      { id: 'col-A', name: 'A', cards: ['card-2:Card 2'] },
      { id: 'col-B', name: 'B', cards: [] },
    ]);
  });
});
