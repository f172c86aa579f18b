import { afterAll, afterEach, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test';
import { wsClient } from '../helpers/clients.ts';
import { createGroupFixture, registerCast, type Cast, type GroupFixture } from '../helpers/fixtures.ts';
import { Closer, follow } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

/** realtime.tasks and the task events of realtime.me, through a stock @trpc/client wsLink. */

setDefaultTimeout(60_000);
let server: TestServer;
let cast: Cast;
let fx: GroupFixture;
const closer = new Closer();
beforeAll(async () => {
  server = await startTestServer();
  cast = await registerCast(server.url);
  fx = await createGroupFixture(cast, 'tasks-live');
}, 300_000);
afterEach(() => closer.closeAll());
afterAll(() => server?.stop());

const device = (who: keyof Cast) => closer.add(wsClient(server.url, cast[who].token));
const strip = ({ _seq, ...e }: any) => e;

describe('realtime.tasks', () => {
  test('every change arrives once, in order, tracked, exactly as the procedures returned it; deleting the list ends the stream', async () => {
    const api = cast.member.client.tasks;
    const list = await api.createList.mutate({ group_id: fx.group.id, name: 'Live' });
    const sub = follow(device('other').api.realtime.tasks, { list_id: list.id });
    await sub.started;
    const a = await api.create.mutate({ list_id: list.id, title: 'a' });
    const b = await api.create.mutate({ list_id: list.id, title: 'b', assignee_id: cast.admin.id });
    const done = await api.update.mutate({ task_id: a.id, done: true, expected_version: 1 });
    const moved = await api.move.mutate({ task_id: b.id, after_id: null });
    await api.delete.mutate({ task_id: a.id });
    const renamed = await api.renameList.mutate({ list_id: list.id, name: 'Live 2' });
    await api.deleteList.mutate({ list_id: list.id });
    const expected = [
      { type: 'task_created', task: a },
      { type: 'task_created', task: b },
      { type: 'task_updated', task: done },
      { type: 'task_moved', task: moved },
      { type: 'task_deleted', id: a.id, list_id: list.id },
      { type: 'list_updated', list: renamed },
      { type: 'list_deleted', id: list.id },
    ];
    const err = await sub.events.error(10_000);
    expect((err as { data?: { code?: string } }).data?.code).toBe('NOT_FOUND');
    expect(sub.events.items.map(strip)).toEqual(expected);
    expect(sub.seqs()).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  test('resume with last_event_id (and tRPC lastEventId) replays what was missed, then continues live', async () => {
    const api = cast.member.client.tasks;
    const list = await api.createList.mutate({ group_id: fx.group.id, name: 'Resume' });
    const a = await api.create.mutate({ list_id: list.id, title: 'a' });
    const b = await api.create.mutate({ list_id: list.id, title: 'b' });
    const again = follow(device('other').api.realtime.tasks, { list_id: list.id, last_event_id: '1' });
    await again.events.count(() => true, 1);
    const c = await api.create.mutate({ list_id: list.id, title: 'c' });
    await again.events.count(() => true, 2);
    expect(again.events.items).toEqual([
      { type: 'task_created', task: b, _seq: 2 },
      { type: 'task_created', task: c, _seq: 3 },
    ]);
    const trpcStyle = follow(device('other').api.realtime.tasks, { list_id: list.id, last_event_id: '0', lastEventId: '2' });
    await trpcStyle.events.count(() => true, 1);
    expect(trpcStyle.events.items).toEqual([{ type: 'task_created', task: c, _seq: 3 }]);
    expect(a.title).toBe('a');
  });

  test("removal from the group ends the member's stream and unassigns their tasks, announced to the others", async () => {
    const owner = cast.owner.client;
    await owner.groups.addMember.mutate({ group_id: fx.group.id, user_id: cast.newcomer.id });
    const list = await owner.tasks.createList.mutate({ group_id: fx.group.id, name: 'Kick' });
    const task = await owner.tasks.create.mutate({ list_id: list.id, title: 'theirs', assignee_id: cast.newcomer.id });
    const leaving = follow(device('newcomer').api.realtime.tasks, { list_id: list.id });
    const staying = follow(device('member').api.realtime.tasks, { list_id: list.id });
    await Promise.all([leaving.started, staying.started]);
    await owner.groups.removeMember.mutate({ group_id: fx.group.id, user_id: cast.newcomer.id });
    const err = await leaving.events.error(10_000);
    expect((err as { data?: { code?: string } }).data?.code).toBe('NOT_FOUND');
    const [event] = await staying.events.count((e) => e.type === 'task_updated', 1);
    expect(strip(event)).toEqual({
      type: 'task_updated',
      task: { ...task, assignee_id: null, version: 2, updated_at: expect.any(String) },
    });
    expect(await owner.tasks.list.query({ list_id: list.id })).toEqual([strip(event).task]);
    expect(await cast.newcomer.client.tasks.mine.query()).toEqual([]);
  });
});

describe('realtime.me', () => {
  test('task_list_created and task_list_deleted reach every member; task_assigned reaches the assignee', async () => {
    const me = follow(device('admin').api.realtime.me, {});
    await me.started;
    const list = await cast.member.client.tasks.createList.mutate({ group_id: fx.group.id, name: 'Announced' });
    const task = await cast.member.client.tasks.create.mutate({ list_id: list.id, title: 'for you', assignee_id: cast.admin.id });
    const other = await cast.member.client.tasks.create.mutate({ list_id: list.id, title: 'later' });
    const assigned = await cast.member.client.tasks.update.mutate({ task_id: other.id, assignee_id: cast.admin.id });
    // Already the assignee: an edit is not a new assignment.
    await cast.member.client.tasks.update.mutate({ task_id: other.id, title: 'later!' });
    await cast.member.client.tasks.deleteList.mutate({ list_id: list.id });
    await me.events.first((e) => e.type === 'task_list_deleted');
    expect(me.events.items.map(strip)).toEqual([
      { type: 'task_list_created', list, group_id: fx.group.id },
      { type: 'task_assigned', task, group_id: fx.group.id },
      { type: 'task_assigned', task: assigned, group_id: fx.group.id },
      { type: 'task_list_deleted', list_id: list.id, group_id: fx.group.id },
    ]);
  });
});
