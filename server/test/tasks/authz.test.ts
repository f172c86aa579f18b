import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test';
import { collabSnapshot } from '../helpers/collab.ts';
import { caller, createGroupFixture, expectCode, registerCast, ROLES, type Cast, type GroupFixture } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

/**
 * Who may do what with task lists and tasks: members read and write, an outsider learns nothing
 * (NOT_FOUND), deleting someone else's list or task needs owner/admin (FORBIDDEN otherwise), and
 * a refused call leaves the database exactly as it was.
 */

setDefaultTimeout(60_000);
let server: TestServer;
let cast: Cast;
let fx: GroupFixture;
beforeAll(async () => {
  server = await startTestServer();
  cast = await registerCast(server.url);
  fx = await createGroupFixture(cast, 'tasks-authz');
}, 300_000);
afterAll(() => server?.stop());

/** A list and a task made by `other` (a plain member): nobody below created them. */
async function theirs() {
  const list = await cast.other.client.tasks.createList.mutate({ group_id: fx.group.id, name: 'theirs' });
  const task = await cast.other.client.tasks.create.mutate({ list_id: list.id, title: 'their task' });
  return { list, task };
}

type Call = (api: Cast['member']['client'], t: Awaited<ReturnType<typeof theirs>>) => Promise<unknown>;
const procedures: Record<string, Call> = {
  'tasks.createList': (api) => api.tasks.createList.mutate({ group_id: fx.group.id, name: 'l' }),
  'tasks.lists': (api) => api.tasks.lists.query({ group_id: fx.group.id }),
  'tasks.renameList': (api, t) => api.tasks.renameList.mutate({ list_id: t.list.id, name: 'renamed' }),
  'tasks.create': (api, t) => api.tasks.create.mutate({ list_id: t.list.id, title: 'x' }),
  'tasks.list': (api, t) => api.tasks.list.query({ list_id: t.list.id }),
  'tasks.update': (api, t) => api.tasks.update.mutate({ task_id: t.task.id, done: true }),
  'tasks.move': (api, t) => api.tasks.move.mutate({ task_id: t.task.id, after_id: null }),
};

describe('read and write: every member, never an outsider', () => {
  for (const [name, call] of Object.entries(procedures)) {
    for (const role of ROLES) {
      test(`${name} as ${role}`, async () => {
        const t = await theirs();
        const api = caller(cast, role).client;
        if (role === 'outsider') {
          const before = await collabSnapshot(server.database);
          await expectCode(call(api, t), 'NOT_FOUND');
          expect(await collabSnapshot(server.database)).toEqual(before);
        } else {
          expect(await call(api, t)).toBeDefined();
        }
      });
    }
  }
  test('realtime.tasks as an outsider is NOT_FOUND', async () => {
    const t = await theirs();
    const sub = await import('../helpers/clients.ts').then((m) => m.wsClient(server.url, cast.outsider.token));
    try {
      const err = await new Promise<unknown>((resolve) => {
        sub.api.realtime.tasks.subscribe({ list_id: t.list.id }, { onError: resolve, onData: () => resolve(new Error('got data')) });
      });
      expect((err as { data?: { code?: string } }).data?.code).toBe('NOT_FOUND');
    } finally {
      sub.close();
    }
  });
  test('tasks.mine never shows tasks of groups the caller left', async () => {
    const t = await theirs();
    await cast.owner.client.groups.addMember.mutate({ group_id: fx.group.id, user_id: cast.newcomer.id });
    await cast.other.client.tasks.update.mutate({ task_id: t.task.id, assignee_id: cast.newcomer.id });
    expect((await cast.newcomer.client.tasks.mine.query()).map((x) => x.id)).toEqual([t.task.id]);
    await cast.newcomer.client.groups.removeMember.mutate({ group_id: fx.group.id, user_id: cast.newcomer.id });
    expect(await cast.newcomer.client.tasks.mine.query()).toEqual([]);
  });
});

describe("deleting someone else's: owner or admin only", () => {
  const deletes: Record<string, Call> = {
    'tasks.delete': (api, t) => api.tasks.delete.mutate({ task_id: t.task.id }),
    'tasks.deleteList': (api, t) => api.tasks.deleteList.mutate({ list_id: t.list.id }),
  };
  const expected = { outsider: 'NOT_FOUND', member: 'FORBIDDEN', admin: 'ok', owner: 'ok' } as const;
  for (const [name, call] of Object.entries(deletes)) {
    for (const role of ROLES) {
      test(`${name} of another member's as ${role}: ${expected[role]}`, async () => {
        const t = await theirs();
        const api = caller(cast, role).client;
        if (expected[role] === 'ok') return void expect(await call(api, t)).toEqual({ ok: true });
        const before = await collabSnapshot(server.database);
        await expectCode(call(api, t), expected[role]);
        expect(await collabSnapshot(server.database)).toEqual(before);
      });
    }
    test(`${name} of one's own as a plain member: ok`, async () => {
      const list = await cast.member.client.tasks.createList.mutate({ group_id: fx.group.id, name: 'mine' });
      const task = await cast.member.client.tasks.create.mutate({ list_id: list.id, title: 'mine' });
      expect(await call(cast.member.client, { list, task })).toEqual({ ok: true });
    });
  }
});
