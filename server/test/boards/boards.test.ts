import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test';
import { LIMITS } from '../../../shared/limits.ts';
import { collabSnapshot, ISO } from '../helpers/collab.ts';
import {
  createGroupFixture,
  expectBadInput,
  expectCode,
  registerCast,
  unknownId,
  type Cast,
  type GroupFixture,
} from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

/** boards.* and cards.*: every procedure's happy path with exact values, ordering, versions and bad input. */

setDefaultTimeout(60_000);
let server: TestServer;
let cast: Cast;
let fx: GroupFixture;
beforeAll(async () => {
  server = await startTestServer({ ORDER_KEY_MAX_LENGTH: '6' });
  cast = await registerCast(server.url);
  fx = await createGroupFixture(cast, 'boards');
}, 300_000);
afterAll(() => server?.stop());

type Api = Cast['member']['client'];
const newBoard = (api: Api, columns?: string[]) => api.boards.create.mutate({ group_id: fx.group.id, name: 'Board', columns });
/** The board as `get` shows it: column names, and per column the card titles in order. */
async function layout(api: Api, boardId: string) {
  const b = await api.boards.get.query({ board_id: boardId });
  return b.columns.map((c) => [c.name, b.cards.filter((k) => k.column_id === c.id).map((k) => k.title)] as const);
}

describe('boards', () => {
  test('create with the default columns; list, get, rename, delete', async () => {
    const api = cast.member.client;
    const board = await api.boards.create.mutate({ group_id: fx.group.id, name: ' Roadmap ' });
    expect(board).toEqual({
      id: expect.any(String),
      group_id: fx.group.id,
      name: 'Roadmap',
      created_by: cast.member.id,
      created_at: expect.stringMatching(ISO),
      columns: [
        { id: expect.any(String), board_id: board.id, name: 'To do', position: expect.any(String) },
        { id: expect.any(String), board_id: board.id, name: 'Doing', position: expect.any(String) },
        { id: expect.any(String), board_id: board.id, name: 'Done', position: expect.any(String) },
      ],
      cards: [],
    });
    const { columns, cards, ...plain } = board;
    expect(await cast.other.client.boards.get.query({ board_id: board.id })).toEqual(board);
    expect(await api.boards.list.query({ group_id: fx.group.id })).toContainEqual(plain);
    expect(await api.boards.rename.mutate({ board_id: board.id, name: 'Plan' })).toEqual({ ...plain, name: 'Plan' });
    expect(await api.boards.delete.mutate({ board_id: board.id })).toEqual({ ok: true });
    await expectCode(api.boards.get.query({ board_id: board.id }), 'NOT_FOUND');
    expect(await api.boards.list.query({ group_id: fx.group.id })).not.toContainEqual({ ...plain, name: 'Plan' });
    expect(columns.length + cards.length).toBe(3);
  });

  test('custom columns (or none); add, rename, move and delete columns', async () => {
    const api = cast.member.client;
    expect((await newBoard(api, [])).columns).toEqual([]);
    const board = await newBoard(api, ['A', 'B']);
    expect(board.columns.map((c) => c.name)).toEqual(['A', 'B']);
    const c = await api.boards.addColumn.mutate({ board_id: board.id, name: 'C' });
    expect(c).toEqual({ id: expect.any(String), board_id: board.id, name: 'C', position: expect.any(String) });
    expect(await api.boards.updateColumn.mutate({ column_id: c.id, name: 'Z' })).toEqual({ ...c, name: 'Z' });
    const moved = await api.boards.moveColumn.mutate({ column_id: c.id, after_id: null });
    expect(moved).toEqual({ ...c, name: 'Z', position: expect.any(String) });
    expect((await layout(api, board.id)).map(([n]) => n)).toEqual(['Z', 'A', 'B']);
    await api.boards.moveColumn.mutate({ column_id: c.id, after_id: board.columns[0]!.id });
    expect((await layout(api, board.id)).map(([n]) => n)).toEqual(['A', 'Z', 'B']);
    expect(await api.boards.deleteColumn.mutate({ column_id: c.id })).toEqual({ ok: true });
    expect((await layout(api, board.id)).map(([n]) => n)).toEqual(['A', 'B']);
    await expectCode(api.boards.moveColumn.mutate({ column_id: board.columns[0]!.id, after_id: board.columns[0]!.id }), 'BAD_REQUEST');
  });

  test(`at most ${LIMITS.columnsPerBoard} columns`, async () => {
    const api = cast.member.client;
    const board = await newBoard(
      api,
      Array.from({ length: LIMITS.columnsPerBoard }, (_, i) => `c${i}`),
    );
    expect(board.columns.map((c) => c.name)).toEqual(Array.from({ length: 50 }, (_, i) => `c${i}`));
    const before = await collabSnapshot(server.database);
    await expectCode(api.boards.addColumn.mutate({ board_id: board.id, name: 'one too many' }), 'BAD_REQUEST');
    await expectBadInput(
      newBoard(
        api,
        Array.from({ length: 51 }, (_, i) => `c${i}`),
      ),
      ['columns'],
    );
    expect(await collabSnapshot(server.database)).toEqual(before);
  });
});

describe('cards', () => {
  test('create appends at the end of the column with exact fields', async () => {
    const api = cast.member.client;
    const board = await newBoard(api);
    const todo = board.columns[0]!;
    const a = await api.cards.create.mutate({ column_id: todo.id, title: ' First ' });
    expect(a).toEqual({
      id: expect.any(String),
      board_id: board.id,
      column_id: todo.id,
      title: 'First',
      description: '',
      assignee_id: null,
      due_at: null,
      labels: [],
      position: expect.any(String),
      version: 1,
      created_by: cast.member.id,
      created_at: expect.stringMatching(ISO),
      updated_at: expect.stringMatching(ISO),
    });
    const b = await cast.admin.client.cards.create.mutate({
      column_id: todo.id,
      title: 'Second',
      description: 'desc',
      assignee_id: cast.other.id,
      due_at: '2030-06-01T12:00:00Z',
      labels: [' bug ', 'ui'],
    });
    expect(b).toMatchObject({
      description: 'desc',
      assignee_id: cast.other.id,
      due_at: '2030-06-01T12:00:00.000Z',
      labels: ['bug', 'ui'],
      version: 1,
    });
    expect((await api.boards.get.query({ board_id: board.id })).cards).toEqual([a, b]);
  });

  test('update changes exactly the given fields and bumps version by one', async () => {
    const api = cast.member.client;
    const board = await newBoard(api);
    const card = await api.cards.create.mutate({ column_id: board.columns[0]!.id, title: 'c', labels: ['x'] });
    const updated = await cast.other.client.cards.update.mutate({
      card_id: card.id,
      title: 'c2',
      description: 'd',
      assignee_id: cast.admin.id,
      due_at: '2030-01-01T00:00:00Z',
      labels: [],
      expected_version: 1,
    });
    expect(updated).toEqual({
      ...card,
      title: 'c2',
      description: 'd',
      assignee_id: cast.admin.id,
      due_at: '2030-01-01T00:00:00.000Z',
      labels: [],
      version: 2,
      updated_at: expect.stringMatching(ISO),
    });
    const cleared = await api.cards.update.mutate({ card_id: card.id, assignee_id: null, due_at: null });
    expect(cleared).toEqual({ ...updated, assignee_id: null, due_at: null, version: 3, updated_at: expect.stringMatching(ISO) });
    // An update that names no field changes nothing, version included.
    expect(await api.cards.update.mutate({ card_id: card.id })).toEqual(cleared);
  });

  test('move within a column and across columns; null or absent after_id is the top', async () => {
    const api = cast.member.client;
    const board = await newBoard(api);
    const [todo, doing] = board.columns;
    const [a, b, c] = [
      await api.cards.create.mutate({ column_id: todo!.id, title: 'a' }),
      await api.cards.create.mutate({ column_id: todo!.id, title: 'b' }),
      await api.cards.create.mutate({ column_id: todo!.id, title: 'c' }),
    ];
    await api.cards.move.mutate({ card_id: c!.id, column_id: todo!.id, after_id: null });
    expect(await layout(api, board.id)).toEqual([
      ['To do', ['c', 'a', 'b']],
      ['Doing', []],
      ['Done', []],
    ]);
    const moved = await api.cards.move.mutate({ card_id: a!.id, column_id: doing!.id, expected_version: 1 });
    expect(moved).toEqual({
      ...a!,
      column_id: doing!.id,
      position: expect.any(String),
      version: 2,
      updated_at: expect.stringMatching(ISO),
    });
    await api.cards.move.mutate({ card_id: b!.id, column_id: doing!.id, after_id: a!.id });
    await api.cards.move.mutate({ card_id: c!.id, column_id: doing!.id, after_id: a!.id });
    expect(await layout(api, board.id)).toEqual([
      ['To do', []],
      ['Doing', ['a', 'c', 'b']],
      ['Done', []],
    ]);
    // after_id must be a card of the target column.
    await expectCode(api.cards.move.mutate({ card_id: a!.id, column_id: todo!.id, after_id: b!.id }), 'NOT_FOUND');
    await expectCode(api.cards.move.mutate({ card_id: a!.id, column_id: doing!.id, after_id: a!.id }), 'BAD_REQUEST');
    // A column of another board is not a place this card can go.
    const elsewhere = await newBoard(api);
    await expectCode(api.cards.move.mutate({ card_id: a!.id, column_id: elsewhere.columns[0]!.id }), 'NOT_FOUND');
  });

  test('deleting a column with cards is CONFLICT unless move_cards_to; then its cards follow in order', async () => {
    const api = cast.member.client;
    const board = await newBoard(api);
    const [todo, doing, done] = board.columns;
    await api.cards.create.mutate({ column_id: doing!.id, title: 'x' });
    for (const t of ['a', 'b', 'c']) await api.cards.create.mutate({ column_id: todo!.id, title: t });
    const before = await collabSnapshot(server.database);
    await expectCode(api.boards.deleteColumn.mutate({ column_id: todo!.id }), 'CONFLICT');
    await expectCode(api.boards.deleteColumn.mutate({ column_id: todo!.id, move_cards_to: todo!.id }), 'BAD_REQUEST');
    await expectCode(api.boards.deleteColumn.mutate({ column_id: todo!.id, move_cards_to: unknownId() }), 'NOT_FOUND');
    expect(await collabSnapshot(server.database)).toEqual(before);
    expect(await api.boards.deleteColumn.mutate({ column_id: todo!.id, move_cards_to: doing!.id })).toEqual({ ok: true });
    expect(await layout(api, board.id)).toEqual([
      ['Doing', ['x', 'a', 'b', 'c']],
      ['Done', []],
    ]);
    expect((await api.boards.get.query({ board_id: board.id })).cards.map((c) => c.version)).toEqual([1, 2, 2, 2]);
    expect(done).toBeDefined();
  });

  test('a stale expected_version is CONFLICT and changes nothing', async () => {
    const api = cast.member.client;
    const board = await newBoard(api);
    const card = await api.cards.create.mutate({ column_id: board.columns[0]!.id, title: 'v' });
    await api.cards.update.mutate({ card_id: card.id, title: 'v2' });
    const before = await collabSnapshot(server.database);
    await expectCode(api.cards.update.mutate({ card_id: card.id, title: 'v3', expected_version: 1 }), 'CONFLICT');
    await expectCode(api.cards.move.mutate({ card_id: card.id, column_id: board.columns[1]!.id, expected_version: 1 }), 'CONFLICT');
    expect(await collabSnapshot(server.database)).toEqual(before);
  });

  test('delete; assignees must be members; unknown ids', async () => {
    const api = cast.member.client;
    const board = await newBoard(api);
    const card = await api.cards.create.mutate({ column_id: board.columns[0]!.id, title: 'd' });
    const before = await collabSnapshot(server.database);
    await expectCode(
      api.cards.create.mutate({ column_id: board.columns[0]!.id, title: 'x', assignee_id: cast.outsider.id }),
      'BAD_REQUEST',
    );
    await expectCode(api.cards.update.mutate({ card_id: card.id, assignee_id: cast.newcomer.id }), 'BAD_REQUEST');
    await expectCode(api.cards.create.mutate({ column_id: unknownId(), title: 'x' }), 'NOT_FOUND');
    await expectCode(api.cards.update.mutate({ card_id: unknownId(), title: 'x' }), 'NOT_FOUND');
    await expectCode(api.cards.move.mutate({ card_id: unknownId(), column_id: board.columns[0]!.id }), 'NOT_FOUND');
    await expectCode(api.boards.updateColumn.mutate({ column_id: unknownId(), name: 'x' }), 'NOT_FOUND');
    await expectCode(api.boards.get.query({ board_id: unknownId() }), 'NOT_FOUND');
    await expectCode(api.boards.create.mutate({ group_id: unknownId(), name: 'x' }), 'NOT_FOUND');
    expect(await collabSnapshot(server.database)).toEqual(before);
    expect(await api.cards.delete.mutate({ card_id: card.id })).toEqual({ ok: true });
    expect((await api.boards.get.query({ board_id: board.id })).cards).toEqual([]);
    await expectCode(api.cards.delete.mutate({ card_id: card.id }), 'NOT_FOUND');
  });

  test('bad input: limits, NUL characters, malformed values', async () => {
    const api = cast.member.client;
    const board = await newBoard(api);
    const col = board.columns[0]!.id;
    const max = await api.cards.create.mutate({
      column_id: col,
      title: 't'.repeat(200),
      description: 'd'.repeat(10_000),
      labels: Array.from({ length: 10 }, (_, i) => `${i}`.padEnd(32, 'x')),
    });
    expect(max.labels).toHaveLength(10);
    const before = await collabSnapshot(server.database);
    await expectBadInput(api.cards.create.mutate({ column_id: col, title: '' }), ['title']);
    await expectBadInput(api.cards.create.mutate({ column_id: col, title: 't'.repeat(201) }), ['title']);
    await expectBadInput(api.cards.create.mutate({ column_id: col, title: 't\u0000' }), ['title']);
    await expectBadInput(api.cards.create.mutate({ column_id: col, title: 't', description: 'd'.repeat(10_001) }), ['description']);
    await expectBadInput(api.cards.create.mutate({ column_id: col, title: 't', labels: Array.from({ length: 11 }, (_, i) => `l${i}`) }), [
      'labels',
    ]);
    await expectBadInput(api.cards.create.mutate({ column_id: col, title: 't', labels: ['x'.repeat(33)] }), ['labels', 0]);
    await expectBadInput(api.cards.create.mutate({ column_id: col, title: 't', labels: [' '] }), ['labels', 0]);
    await expectBadInput(api.cards.create.mutate({ column_id: col, title: 't', labels: ['\u0000'] }), ['labels', 0]);
    await expectBadInput(api.cards.update.mutate({ card_id: max.id, due_at: '2030-13-01' }), ['due_at']);
    await expectBadInput(api.cards.move.mutate({ card_id: max.id, column_id: 'x' }), ['column_id']);
    await expectBadInput(api.boards.create.mutate({ group_id: fx.group.id, name: '\u0000' }), ['name']);
    await expectBadInput(api.boards.create.mutate({ group_id: fx.group.id, name: 'b', columns: [''] }), ['columns', 0]);
    await expectBadInput(api.boards.addColumn.mutate({ board_id: board.id, name: 'n'.repeat(101) }), ['name']);
    expect(await collabSnapshot(server.database)).toEqual(before);
  });

  test(`at most ${LIMITS.cardsPerBoard} cards per board`, async () => {
    const api = cast.member.client;
    const board = await newBoard(api);
    const col = board.columns[0]!.id;
    // Filled directly: 5,000 round trips would be most of this suite's time.
    await server.database.rows(
      (await import('drizzle-orm')).sql`insert into cards (board_id, column_id, title, position, created_by)
        select ${board.id}::uuid, ${col}::uuid, 'filler', 'a' || lpad(g::text, 5, '0'), ${cast.member.id}::uuid from generate_series(1, ${LIMITS.cardsPerBoard - 1}) g`,
    );
    const last = await api.cards.create.mutate({ column_id: board.columns[1]!.id, title: 'last' });
    expect(last.title).toBe('last');
    const before = await collabSnapshot(server.database);
    await expectCode(api.cards.create.mutate({ column_id: col, title: 'too many' }), 'BAD_REQUEST');
    expect(await collabSnapshot(server.database)).toEqual(before);
  });
});
