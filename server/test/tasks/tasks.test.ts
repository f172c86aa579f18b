import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test';
import { LIMITS } from '../../../shared/limits.ts';
import { byPosition, collabSnapshot, ISO } from '../helpers/collab.ts';
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

/** tasks.*: every procedure's happy path with exact values, ordering, versions and bad input. */

setDefaultTimeout(30_000);
let server: TestServer;
let cast: Cast;
let fx: GroupFixture;
beforeAll(async () => {
  // Short order keys: rebalancing happens after a few moves to one spot instead of a hundred.
  server = await startTestServer({ ORDER_KEY_MAX_LENGTH: '6' });
  cast = await registerCast(server.url);
  fx = await createGroupFixture(cast, 'tasks');
}, 300_000);
afterAll(() => server?.stop());

const titles = (items: { title: string }[]) => items.map((t) => t.title);

describe('task lists', () => {
  test('create, list, rename, delete', async () => {
    const api = cast.member.client.tasks;
    const list = await api.createList.mutate({ group_id: fx.group.id, name: '  Groceries ' });
    expect(list).toEqual({
      id: expect.any(String),
      group_id: fx.group.id,
      name: 'Groceries',
      created_by: cast.member.id,
      created_at: expect.stringMatching(ISO),
    });
    const other = await cast.admin.client.tasks.createList.mutate({ group_id: fx.group.id, name: 'Chores' });
    const lists = await cast.owner.client.tasks.lists.query({ group_id: fx.group.id });
    expect(lists.map((l) => l.id).slice(-2)).toEqual([list.id, other.id]);
    expect(await api.renameList.mutate({ list_id: list.id, name: 'Food' })).toEqual({ ...list, name: 'Food' });
    expect(await api.deleteList.mutate({ list_id: list.id })).toEqual({ ok: true });
    expect((await api.lists.query({ group_id: fx.group.id })).map((l) => l.id)).not.toContain(list.id);
    await expectCode(api.renameList.mutate({ list_id: list.id, name: 'x' }), 'NOT_FOUND');
  });
});

describe('tasks', () => {
  test('create appends at the end with exact fields; list returns position order', async () => {
    const list = await cast.member.client.tasks.createList.mutate({ group_id: fx.group.id, name: 'Sprint' });
    const a = await cast.member.client.tasks.create.mutate({ list_id: list.id, title: ' Write spec ' });
    expect(a).toEqual({
      id: expect.any(String),
      list_id: list.id,
      title: 'Write spec',
      notes: '',
      done: false,
      done_at: null,
      assignee_id: null,
      due_at: null,
      position: expect.any(String),
      version: 1,
      created_by: cast.member.id,
      created_at: expect.stringMatching(ISO),
      updated_at: expect.stringMatching(ISO),
    });
    const b = await cast.owner.client.tasks.create.mutate({
      list_id: list.id,
      title: 'Review',
      notes: 'carefully',
      assignee_id: cast.other.id,
      due_at: '2030-01-02T03:04:05+02:00',
    });
    expect(b).toMatchObject({
      title: 'Review',
      notes: 'carefully',
      assignee_id: cast.other.id,
      due_at: '2030-01-02T01:04:05.000Z',
      version: 1,
    });
    const c = await cast.admin.client.tasks.create.mutate({ list_id: list.id, title: 'Ship' });
    expect(a.position < b.position && b.position < c.position).toBe(true);
    const listed = await cast.other.client.tasks.list.query({ list_id: list.id });
    expect(listed).toEqual([a, b, c]);
  });

  test('update changes exactly the given fields, bumps version by one, done sets and clears done_at', async () => {
    const list = await cast.member.client.tasks.createList.mutate({ group_id: fx.group.id, name: 'Upd' });
    const t = await cast.member.client.tasks.create.mutate({ list_id: list.id, title: 'One', notes: 'n', due_at: '2031-05-05T00:00:00Z' });
    const done = await cast.other.client.tasks.update.mutate({ task_id: t.id, done: true, expected_version: 1 });
    expect(done).toEqual({ ...t, done: true, done_at: expect.stringMatching(ISO), version: 2, updated_at: expect.stringMatching(ISO) });
    const edited = await cast.member.client.tasks.update.mutate({
      task_id: t.id,
      title: 'Uno',
      notes: '',
      assignee_id: cast.admin.id,
      due_at: null,
    });
    expect(edited).toEqual({
      ...done,
      title: 'Uno',
      notes: '',
      assignee_id: cast.admin.id,
      due_at: null,
      version: 3,
      updated_at: expect.stringMatching(ISO),
    });
    const undone = await cast.member.client.tasks.update.mutate({ task_id: t.id, done: false, assignee_id: null });
    expect(undone).toMatchObject({ done: false, done_at: null, assignee_id: null, version: 4 });
    expect(await cast.member.client.tasks.list.query({ list_id: list.id })).toEqual([undone]);
    expect(await cast.member.client.tasks.list.query({ list_id: list.id, include_done: false })).toEqual([undone]);
    await cast.member.client.tasks.update.mutate({ task_id: t.id, done: true });
    expect(await cast.member.client.tasks.list.query({ list_id: list.id, include_done: false })).toEqual([]);
    // An update that names no field changes nothing, version included.
    const [current] = await cast.member.client.tasks.list.query({ list_id: list.id });
    expect(await cast.member.client.tasks.update.mutate({ task_id: t.id, expected_version: current!.version })).toEqual(current!);
  });

  test('move: after_id places after that task, null or absent places first; only the moved task changes', async () => {
    const api = cast.member.client.tasks;
    const list = await api.createList.mutate({ group_id: fx.group.id, name: 'Moves' });
    const [a, b, c] = [
      await api.create.mutate({ list_id: list.id, title: 'a' }),
      await api.create.mutate({ list_id: list.id, title: 'b' }),
      await api.create.mutate({ list_id: list.id, title: 'c' }),
    ];
    const moved = await api.move.mutate({ task_id: c!.id, after_id: a!.id, expected_version: 1 });
    expect(moved).toEqual({ ...c!, position: expect.any(String), version: 2, updated_at: expect.stringMatching(ISO) });
    expect(titles(await api.list.query({ list_id: list.id }))).toEqual(['a', 'c', 'b']);
    await api.move.mutate({ task_id: b!.id, after_id: null });
    expect(titles(await api.list.query({ list_id: list.id }))).toEqual(['b', 'a', 'c']);
    await api.move.mutate({ task_id: a!.id });
    const after = await api.list.query({ list_id: list.id });
    expect(titles(after)).toEqual(['a', 'b', 'c']);
    // Only the moved rows changed: b and c keep the versions their own moves gave them.
    expect(after.map((t) => t.version)).toEqual([2, 2, 2]);
    await expectCode(api.move.mutate({ task_id: a!.id, after_id: a!.id }), 'BAD_REQUEST');
    await expectCode(api.move.mutate({ task_id: a!.id, after_id: unknownId() }), 'NOT_FOUND');
  });

  test('moving to the same place again and again keeps keys short (rebalance) and the order exact', async () => {
    const api = cast.member.client.tasks;
    const list = await api.createList.mutate({ group_id: fx.group.id, name: 'Churn' });
    const items = [];
    for (const title of ['a', 'b', 'c', 'd']) items.push(await api.create.mutate({ list_id: list.id, title }));
    // Alternately put c and d right after a: each key lands between two ever closer keys.
    const expected = ['a', 'b', 'c', 'd'];
    for (let i = 0; i < 40; i++) {
      const t = items[2 + (i % 2)]!;
      await api.move.mutate({ task_id: t.id, after_id: items[0]!.id });
      expected.splice(expected.indexOf(t.title), 1);
      expected.splice(1, 0, t.title);
    }
    const final = await api.list.query({ list_id: list.id });
    expect(titles(final)).toEqual(expected);
    // Without rebalancing 40 such moves make 9-character keys.
    expect(Math.max(...final.map((t) => t.position.length))).toBeLessThanOrEqual(6);
    expect(new Set(final.map((t) => t.position)).size).toBe(4);
    expect(byPosition(final)).toEqual(final);
  });

  test('a stale expected_version is CONFLICT and changes nothing', async () => {
    const api = cast.member.client.tasks;
    const list = await api.createList.mutate({ group_id: fx.group.id, name: 'Versions' });
    const t = await api.create.mutate({ list_id: list.id, title: 't' });
    await api.create.mutate({ list_id: list.id, title: 'u' });
    await api.update.mutate({ task_id: t.id, title: 't2', expected_version: 1 });
    const before = await collabSnapshot(server.database);
    await expectCode(api.update.mutate({ task_id: t.id, title: 't3', expected_version: 1 }), 'CONFLICT');
    await expectCode(api.move.mutate({ task_id: t.id, after_id: null, expected_version: 1 }), 'CONFLICT');
    expect(await collabSnapshot(server.database)).toEqual(before);
  });

  test('delete removes the task', async () => {
    const api = cast.member.client.tasks;
    const list = await api.createList.mutate({ group_id: fx.group.id, name: 'Del' });
    const t = await api.create.mutate({ list_id: list.id, title: 'gone' });
    expect(await api.delete.mutate({ task_id: t.id })).toEqual({ ok: true });
    expect(await api.list.query({ list_id: list.id })).toEqual([]);
    await expectCode(api.delete.mutate({ task_id: t.id }), 'NOT_FOUND');
  });

  test('mine: tasks assigned to me across groups, due soonest first, undated last, done excluded by default', async () => {
    const me = cast.newcomer;
    const g2 = await cast.owner.client.groups.create.mutate({ name: 'second' });
    await cast.owner.client.groups.addMember.mutate({ group_id: fx.group.id, user_id: me.id });
    await cast.owner.client.groups.addMember.mutate({ group_id: g2.id, user_id: me.id });
    const l1 = await cast.owner.client.tasks.createList.mutate({ group_id: fx.group.id, name: 'L1' });
    const l2 = await cast.owner.client.tasks.createList.mutate({ group_id: g2.id, name: 'L2' });
    const api = cast.owner.client.tasks;
    const undated = await api.create.mutate({ list_id: l1.id, title: 'undated', assignee_id: me.id });
    const late = await api.create.mutate({ list_id: l2.id, title: 'late', assignee_id: me.id, due_at: '2032-01-01T00:00:00Z' });
    const soon = await api.create.mutate({ list_id: l1.id, title: 'soon', assignee_id: me.id, due_at: '2031-01-01T00:00:00Z' });
    await api.create.mutate({ list_id: l1.id, title: 'not mine', assignee_id: cast.member.id });
    const done = await api.create.mutate({ list_id: l2.id, title: 'done', assignee_id: me.id });
    const doneNow = await api.update.mutate({ task_id: done.id, done: true });
    expect(await me.client.tasks.mine.query()).toEqual([soon, late, undated]);
    expect(await me.client.tasks.mine.query({ include_done: true })).toEqual([soon, late, undated, doneNow]);
  });

  test('assignees must be group members', async () => {
    const api = cast.member.client.tasks;
    const list = await api.createList.mutate({ group_id: fx.group.id, name: 'Assign' });
    const t = await api.create.mutate({ list_id: list.id, title: 't' });
    const before = await collabSnapshot(server.database);
    await expectCode(api.create.mutate({ list_id: list.id, title: 'x', assignee_id: cast.outsider.id }), 'BAD_REQUEST');
    await expectCode(api.update.mutate({ task_id: t.id, assignee_id: cast.outsider.id }), 'BAD_REQUEST');
    await expectCode(api.update.mutate({ task_id: t.id, assignee_id: unknownId() }), 'BAD_REQUEST');
    expect(await collabSnapshot(server.database)).toEqual(before);
  });
});

describe('bad input', () => {
  test('limits, NUL characters, malformed ids and dates are BAD_REQUEST and change nothing', async () => {
    const api = cast.member.client.tasks;
    const list = await api.createList.mutate({ group_id: fx.group.id, name: 'Bad' });
    const t = await api.create.mutate({ list_id: list.id, title: 'x'.repeat(LIMITS.taskTitleMax), notes: 'n'.repeat(LIMITS.taskNotesMax) });
    expect(t.title.length).toBe(200);
    const before = await collabSnapshot(server.database);
    await expectBadInput(api.create.mutate({ list_id: list.id, title: '' }), ['title']);
    await expectBadInput(api.create.mutate({ list_id: list.id, title: '   ' }), ['title']);
    await expectBadInput(api.create.mutate({ list_id: list.id, title: 'x'.repeat(201) }), ['title']);
    await expectBadInput(api.create.mutate({ list_id: list.id, title: 'a\u0000b' }), ['title']);
    await expectBadInput(api.create.mutate({ list_id: list.id, title: 'ok', notes: 'n'.repeat(10_001) }), ['notes']);
    await expectBadInput(api.create.mutate({ list_id: list.id, title: 'ok', notes: '\u0000' }), ['notes']);
    await expectBadInput(api.create.mutate({ list_id: list.id, title: 'ok', due_at: 'tomorrow' }), ['due_at']);
    await expectBadInput(api.create.mutate({ list_id: 'nope', title: 'ok' }), ['list_id']);
    await expectBadInput(api.update.mutate({ task_id: t.id, expected_version: -1 }), ['expected_version']);
    await expectBadInput(api.move.mutate({ task_id: t.id, after_id: 'x' }), ['after_id']);
    await expectBadInput(api.createList.mutate({ group_id: fx.group.id, name: '' }), ['name']);
    await expectBadInput(api.createList.mutate({ group_id: fx.group.id, name: 'n'.repeat(101) }), ['name']);
    await expectBadInput(api.renameList.mutate({ list_id: list.id, name: '\u0000' }), ['name']);
    expect(await collabSnapshot(server.database)).toEqual(before);
  });

  test('unknown ids are NOT_FOUND', async () => {
    const api = cast.member.client.tasks;
    await expectCode(api.list.query({ list_id: unknownId() }), 'NOT_FOUND');
    await expectCode(api.create.mutate({ list_id: unknownId(), title: 't' }), 'NOT_FOUND');
    await expectCode(api.update.mutate({ task_id: unknownId(), title: 't' }), 'NOT_FOUND');
    await expectCode(api.move.mutate({ task_id: unknownId() }), 'NOT_FOUND');
    await expectCode(api.delete.mutate({ task_id: unknownId() }), 'NOT_FOUND');
    await expectCode(api.deleteList.mutate({ list_id: unknownId() }), 'NOT_FOUND');
    await expectCode(api.createList.mutate({ group_id: unknownId(), name: 'x' }), 'NOT_FOUND');
    await expectCode(api.lists.query({ group_id: unknownId() }), 'NOT_FOUND');
  });
});
