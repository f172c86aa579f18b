import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test';
import { wsClient } from '../helpers/clients.ts';
import { collabSnapshot } from '../helpers/collab.ts';
import { caller, createGroupFixture, expectCode, registerCast, ROLES, type Cast, type GroupFixture } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

/**
 * Who may do what with boards, columns and cards: members read and write, an outsider learns
 * nothing (NOT_FOUND), deleting someone else's board, column or card needs owner/admin
 * (FORBIDDEN otherwise), and a refused call leaves the database exactly as it was.
 */

setDefaultTimeout(60_000);
let server: TestServer;
let cast: Cast;
let fx: GroupFixture;
beforeAll(async () => {
  server = await startTestServer();
  cast = await registerCast(server.url);
  fx = await createGroupFixture(cast, 'boards-authz');
}, 300_000);
afterAll(() => server?.stop());

/** A board (with an empty last column) and a card made by `other` (a plain member). */
async function theirs() {
  const board = await cast.other.client.boards.create.mutate({ group_id: fx.group.id, name: 'theirs' });
  const card = await cast.other.client.cards.create.mutate({ column_id: board.columns[0]!.id, title: 'their card' });
  return { board, card, column: board.columns[2]! };
}

type Call = (api: Cast['member']['client'], t: Awaited<ReturnType<typeof theirs>>) => Promise<unknown>;
const procedures: Record<string, Call> = {
  'boards.create': (api) => api.boards.create.mutate({ group_id: fx.group.id, name: 'b' }),
  'boards.list': (api) => api.boards.list.query({ group_id: fx.group.id }),
  'boards.get': (api, t) => api.boards.get.query({ board_id: t.board.id }),
  'boards.rename': (api, t) => api.boards.rename.mutate({ board_id: t.board.id, name: 'renamed' }),
  'boards.addColumn': (api, t) => api.boards.addColumn.mutate({ board_id: t.board.id, name: 'c' }),
  'boards.updateColumn': (api, t) => api.boards.updateColumn.mutate({ column_id: t.column.id, name: 'c' }),
  'boards.moveColumn': (api, t) => api.boards.moveColumn.mutate({ column_id: t.column.id, after_id: null }),
  'cards.create': (api, t) => api.cards.create.mutate({ column_id: t.column.id, title: 'x' }),
  'cards.update': (api, t) => api.cards.update.mutate({ card_id: t.card.id, title: 'y' }),
  'cards.move': (api, t) => api.cards.move.mutate({ card_id: t.card.id, column_id: t.column.id }),
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
  test('realtime.board as an outsider is NOT_FOUND', async () => {
    const t = await theirs();
    const sub = wsClient(server.url, cast.outsider.token);
    try {
      const err = await new Promise<unknown>((resolve) => {
        sub.api.realtime.board.subscribe({ board_id: t.board.id }, { onError: resolve, onData: () => resolve(new Error('got data')) });
      });
      expect((err as { data?: { code?: string } }).data?.code).toBe('NOT_FOUND');
    } finally {
      sub.close();
    }
  });
});

describe("deleting someone else's: owner or admin only", () => {
  const deletes: Record<string, Call> = {
    'cards.delete': (api, t) => api.cards.delete.mutate({ card_id: t.card.id }),
    'boards.deleteColumn': (api, t) => api.boards.deleteColumn.mutate({ column_id: t.column.id }),
    'boards.delete': (api, t) => api.boards.delete.mutate({ board_id: t.board.id }),
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
      const board = await cast.member.client.boards.create.mutate({ group_id: fx.group.id, name: 'mine' });
      const card = await cast.member.client.cards.create.mutate({ column_id: board.columns[0]!.id, title: 'mine' });
      expect(await call(cast.member.client, { board, card, column: board.columns[2]! })).toEqual({ ok: true });
    });
  }
});
