import { afterAll, afterEach, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test';
import { wsClient } from '../helpers/clients.ts';
import { createGroupFixture, registerCast, type Cast, type GroupFixture } from '../helpers/fixtures.ts';
import { Closer, follow } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

/** realtime.board and the board events of realtime.me, through a stock @trpc/client wsLink. */

setDefaultTimeout(60_000);
let server: TestServer;
let cast: Cast;
let fx: GroupFixture;
const closer = new Closer();
beforeAll(async () => {
  server = await startTestServer();
  cast = await registerCast(server.url);
  fx = await createGroupFixture(cast, 'boards-live');
}, 300_000);
afterEach(() => closer.closeAll());
afterAll(() => server?.stop());

const device = (who: keyof Cast) => closer.add(wsClient(server.url, cast[who].token));
const strip = ({ _seq, ...e }: any) => e;

describe('realtime.board', () => {
  test('every change arrives once, in order, tracked with the stream sequence, exactly as the procedures returned it', async () => {
    const api = cast.member.client;
    const board = await api.boards.create.mutate({ group_id: fx.group.id, name: 'Live' });
    const sub = follow(device('other').api.realtime.board, { board_id: board.id });
    await sub.started;
    const [todo, doing] = board.columns;
    const renamed = await api.boards.rename.mutate({ board_id: board.id, name: 'Live 2' });
    const col = await api.boards.addColumn.mutate({ board_id: board.id, name: 'Extra' });
    const colRenamed = await api.boards.updateColumn.mutate({ column_id: col.id, name: 'More' });
    const colMoved = await api.boards.moveColumn.mutate({ column_id: col.id, after_id: null });
    const card = await api.cards.create.mutate({ column_id: todo!.id, title: 'c', labels: ['l'] });
    const updated = await api.cards.update.mutate({ card_id: card.id, description: 'd' });
    const moved = await api.cards.move.mutate({ card_id: card.id, column_id: doing!.id });
    await api.cards.delete.mutate({ card_id: card.id });
    await api.boards.deleteColumn.mutate({ column_id: col.id });
    const expected = [
      { type: 'board_updated', board: renamed },
      { type: 'column_created', column: col },
      { type: 'column_updated', column: colRenamed },
      { type: 'column_moved', column: colMoved },
      { type: 'card_created', card },
      { type: 'card_updated', card: updated },
      { type: 'card_moved', card: moved },
      { type: 'card_deleted', id: card.id, board_id: board.id, column_id: doing!.id },
      { type: 'column_deleted', id: col.id, board_id: board.id },
    ];
    await sub.events.until((items) => items.length >= expected.length);
    expect(sub.events.items.map(strip)).toEqual(expected);
    expect(sub.seqs()).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  test('resume with last_event_id replays exactly what was missed, then continues live', async () => {
    const api = cast.member.client;
    const board = await api.boards.create.mutate({ group_id: fx.group.id, name: 'Resume' });
    const col = board.columns[0]!.id;
    const first = follow(device('other').api.realtime.board, { board_id: board.id });
    await first.started;
    const a = await api.cards.create.mutate({ column_id: col, title: 'a' });
    await first.events.count(() => true, 1);
    first.unsubscribe();
    const b = await api.cards.create.mutate({ column_id: col, title: 'b' });
    const moved = await api.cards.move.mutate({ card_id: b.id, column_id: col, after_id: null });
    const again = follow(device('other').api.realtime.board, { board_id: board.id, last_event_id: '1' });
    await again.events.count(() => true, 2);
    const c = await api.cards.create.mutate({ column_id: col, title: 'c' });
    await again.events.count(() => true, 3);
    expect(again.events.items).toEqual([
      { type: 'card_created', card: b, _seq: 2 },
      { type: 'card_moved', card: moved, _seq: 3 },
      { type: 'card_created', card: c, _seq: 4 },
    ]);
    expect(a.title).toBe('a');
  });

  test("removal from the group ends the member's stream at once and unassigns their cards, announced to the others", async () => {
    const api = cast.owner.client;
    await api.groups.addMember.mutate({ group_id: fx.group.id, user_id: cast.newcomer.id });
    const board = await api.boards.create.mutate({ group_id: fx.group.id, name: 'Kick' });
    const card = await api.cards.create.mutate({ column_id: board.columns[0]!.id, title: 'theirs', assignee_id: cast.newcomer.id });
    const leaving = follow(device('newcomer').api.realtime.board, { board_id: board.id });
    const staying = follow(device('member').api.realtime.board, { board_id: board.id });
    await Promise.all([leaving.started, staying.started]);
    await api.groups.removeMember.mutate({ group_id: fx.group.id, user_id: cast.newcomer.id });
    const err = await leaving.events.error(10_000);
    expect((err as { data?: { code?: string } }).data?.code).toBe('NOT_FOUND');
    const [event] = await staying.events.count((e) => e.type === 'card_updated', 1);
    expect(strip(event)).toEqual({
      type: 'card_updated',
      card: { ...card, assignee_id: null, version: 2, updated_at: expect.any(String) },
    });
    expect((await api.boards.get.query({ board_id: board.id })).cards[0]).toEqual(strip(event).card);
  });

  test('deleting the board ends its subscriptions', async () => {
    const board = await cast.member.client.boards.create.mutate({ group_id: fx.group.id, name: 'Doomed' });
    const sub = follow(device('other').api.realtime.board, { board_id: board.id });
    await sub.started;
    await cast.owner.client.boards.delete.mutate({ board_id: board.id });
    const err = await sub.events.error(10_000);
    expect((err as { data?: { code?: string } }).data?.code).toBe('NOT_FOUND');
  });
});

describe('group deletion', () => {
  test('deleting the group removes its boards and lists, ends their streams and forgets their events', async () => {
    const group = await cast.owner.client.groups.create.mutate({ name: 'short-lived' });
    await cast.owner.client.groups.addMember.mutate({ group_id: group.id, user_id: cast.member.id });
    const board = await cast.member.client.boards.create.mutate({ group_id: group.id, name: 'b' });
    const list = await cast.member.client.tasks.createList.mutate({ group_id: group.id, name: 'l' });
    await cast.member.client.cards.create.mutate({ column_id: board.columns[0]!.id, title: 'c' });
    await cast.member.client.tasks.create.mutate({ list_id: list.id, title: 't' });
    const ws = device('member');
    const onBoard = follow(ws.api.realtime.board, { board_id: board.id });
    const onList = follow(ws.api.realtime.tasks, { list_id: list.id });
    await Promise.all([onBoard.started, onList.started]);
    await cast.owner.client.groups.delete.mutate({ group_id: group.id });
    for (const sub of [onBoard, onList])
      expect(((await sub.events.error(10_000)) as { data?: { code?: string } }).data?.code).toBe('NOT_FOUND');
    const { sql } = await import('drizzle-orm');
    const { boardStream, taskListStream } = await import('../../realtime/streams.ts');
    const left = await server.database.rows<{ n: number }>(
      sql`select count(*)::int as n from events where stream in (${boardStream(board.id)}, ${taskListStream(list.id)})`,
    );
    expect(left[0]!.n).toBe(0);
    const rows = await server.database.rows<{ n: number }>(
      sql`select (select count(*) from boards where id = ${board.id}) + (select count(*) from cards where board_id = ${board.id})
        + (select count(*) from task_lists where id = ${list.id}) + (select count(*) from tasks where list_id = ${list.id}) as n`,
    );
    expect(Number(rows[0]!.n)).toBe(0);
  });
});

describe('realtime.me', () => {
  test('board_created and board_deleted reach every member; card_assigned reaches the assignee', async () => {
    const me = follow(device('other').api.realtime.me, {});
    const owners = follow(device('owner').api.realtime.me, {});
    await Promise.all([me.started, owners.started]);
    const detail = await cast.member.client.boards.create.mutate({ group_id: fx.group.id, name: 'Announced' });
    const { columns, cards, ...board } = detail;
    const card = await cast.member.client.cards.create.mutate({ column_id: columns[0]!.id, title: 'for you', assignee_id: cast.other.id });
    const reassigned = await cast.member.client.cards.update.mutate({ card_id: card.id, assignee_id: cast.owner.id });
    await cast.member.client.boards.delete.mutate({ board_id: board.id });
    const deleted = { type: 'board_deleted', board_id: board.id, group_id: fx.group.id };
    await me.events.first((e) => e.type === 'board_deleted');
    await owners.events.first((e) => e.type === 'board_deleted');
    expect(me.events.items.map(strip)).toEqual([
      { type: 'board_created', board, group_id: fx.group.id },
      { type: 'card_assigned', card, group_id: fx.group.id },
      deleted,
    ]);
    expect(owners.events.items.map(strip)).toEqual([
      { type: 'board_created', board, group_id: fx.group.id },
      { type: 'card_assigned', card: reassigned, group_id: fx.group.id },
      deleted,
    ]);
    expect(cards).toEqual([]);
  });
});
