import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test';
import type { Message } from '../../../shared/entities.ts';
import {
  type Account,
  anonClient,
  authzMatrix,
  type Cast,
  createGroupFixture,
  expectCode,
  fullSnapshot,
  type GroupFixture,
  type MatrixCase,
  refusedUnchanged,
  registerCast,
  startTestServer,
  type TestServer,
} from '../helpers/fixtures.ts';

/**
 * Who may edit, delete, react to, search and mark read channel messages. The message under test
 * is written by `member` (the author); `other` is a second plain member.
 */
setDefaultTimeout(60_000);

let server: TestServer;
let cast: Cast;
beforeAll(async () => {
  server = await startTestServer();
  // In process (createCaller): this suite is about who may do what, not about the transport.
  cast = await registerCast(server);
}, 60_000);
afterAll(() => server?.stop(), 30_000);

const WHO = ['outsider', 'author', 'other', 'admin', 'owner'] as const;
type Who = (typeof WHO)[number];
const account = (who: Who): Account => (who === 'author' ? cast.member : cast[who]);

interface Fixture extends GroupFixture {
  message: Message;
}

/** A fresh group with a message by the author that the author has reacted to with ✅. */
async function fixture(): Promise<Fixture> {
  const f = await createGroupFixture(cast, 'authz');
  const sent = await cast.member.client.messages.send.mutate({ channel_id: f.channel.id, content: 'the authz needle message' });
  const message = await cast.member.client.messages.react.mutate({ message_id: sent.id, emoji: '✅' });
  return { ...f, message };
}

/** The message as the author now sees it in the channel's history (undefined once deleted). */
const current = async (f: Fixture) =>
  (await cast.member.client.messages.list.query({ channel_id: f.channel.id })).items.find((m) => m.id === f.message.id);

const everyMember = { outsider: 'NOT_FOUND', author: 'ok', other: 'ok', admin: 'ok', owner: 'ok' } as const;

const cases: Record<string, MatrixCase<Who, Fixture>> = {
  'messages.edit': {
    expect: { outsider: 'NOT_FOUND', author: 'ok', other: 'FORBIDDEN', admin: 'FORBIDDEN', owner: 'FORBIDDEN' },
    run: (me, f) => me.client.messages.edit.mutate({ message_id: f.message.id, content: `edited by ${me.username}` }),
    async check(result: Message, f, me) {
      expect(result).toEqual({ ...f.message, content: `edited by ${me.username}`, edited_at: expect.any(String) });
      expect(Date.parse(result.edited_at!)).toBeGreaterThanOrEqual(Date.parse(f.message.created_at));
      expect(await current(f)).toEqual(result);
    },
  },
  'messages.delete': {
    expect: { outsider: 'NOT_FOUND', author: 'ok', other: 'FORBIDDEN', admin: 'ok', owner: 'ok' },
    run: (me, f) => me.client.messages.delete.mutate({ message_id: f.message.id }),
    async check(result, f) {
      expect(result).toEqual({ ok: true });
      expect(await current(f)).toBeUndefined();
      const [row] = (await fullSnapshot(server.db.database)).messages.filter((m) => m.id === f.message.id);
      expect(row).toMatchObject({ content: '', deletedAt: expect.any(Date), seq: f.message.seq });
      // Gone for everyone else too, and not editable or reactable any more.
      await expectCode(cast.owner.client.messages.react.mutate({ message_id: f.message.id, emoji: '👍' }), 'NOT_FOUND');
      await expectCode(cast.member.client.messages.edit.mutate({ message_id: f.message.id, content: 'back' }), 'NOT_FOUND');
    },
  },
  'messages.react': {
    expect: everyMember,
    run: (me, f) => me.client.messages.react.mutate({ message_id: f.message.id, emoji: '🔥' }),
    async check(result: Message, f, me) {
      const mine = me.id === cast.member.id;
      expect(result).toEqual({
        ...f.message,
        reactions: [
          { emoji: '✅', count: 1, me: mine },
          { emoji: '🔥', count: 1, me: true },
        ],
      });
      expect((await current(f))!.reactions).toEqual([
        { emoji: '✅', count: 1, me: true },
        { emoji: '🔥', count: 1, me: mine },
      ]);
    },
  },
  'messages.unreact': {
    expect: everyMember,
    async run(me, f) {
      // Everyone who can react first adds a reaction of their own, then takes it back.
      if (me.id !== cast.outsider.id) await me.client.messages.react.mutate({ message_id: f.message.id, emoji: '👀' });
      return me.client.messages.unreact.mutate({ message_id: f.message.id, emoji: '👀' });
    },
    async check(result: Message, f, me) {
      expect(result).toEqual({ ...f.message, reactions: [{ emoji: '✅', count: 1, me: me.id === cast.member.id }] });
      expect((await current(f))!.reactions).toEqual([{ emoji: '✅', count: 1, me: true }]);
    },
  },
  'messages.search': {
    expect: everyMember,
    run: (me, f) => me.client.messages.search.query({ query: 'needle', group_id: f.group.id }),
    async check(result: Message[], f, me) {
      expect(result).toHaveLength(1);
      expect(result[0]).toEqual({
        ...f.message,
        reactions: [{ emoji: '✅', count: 1, me: me.id === cast.member.id }],
        snippet: expect.stringContaining('<b>needle</b>'),
      });
    },
  },
  'messages.markRead': {
    expect: everyMember,
    run: (me, f) => me.client.messages.markRead.mutate({ channel_id: f.channel.id, seq: f.message.seq }),
    async check(result, f, me) {
      expect(result).toEqual({ ok: true });
      const states = (await fullSnapshot(server.db.database)).readStates.filter(
        (r) => r.userId === me.id && r.stream === `c:${f.channel.id}`,
      );
      expect(states).toEqual([expect.objectContaining({ lastReadSeq: f.message.seq })]);
      const listed = await me.client.channels.list.query({ group_id: f.group.id });
      expect(listed[0]).toMatchObject({ id: f.channel.id, unread_count: 0, mention_count: 0 });
    },
  },
};

authzMatrix(
  {
    roles: WHO,
    fixture,
    account: (who) => account(who),
    database: () => server.db.database,
    // A non-member learns nothing: the same answer as for a message that does not exist.
    onRefusal(error, { role, expected, f }) {
      if (expected === 'NOT_FOUND' && role === 'outsider') expect(error.message).not.toContain(f.message.id);
    },
  },
  cases,
);

describe('outside the matrix', () => {
  test('without a token every new procedure is UNAUTHORIZED and nothing changes', async () => {
    const f = await fixture();
    const anon = anonClient(server);
    const db = server.db.database;
    const mid = { message_id: f.message.id };
    await refusedUnchanged(db, () => anon.messages.edit.mutate({ ...mid, content: 'x' }), 'UNAUTHORIZED');
    await refusedUnchanged(db, () => anon.messages.delete.mutate(mid), 'UNAUTHORIZED');
    await refusedUnchanged(db, () => anon.messages.react.mutate({ ...mid, emoji: '👍' }), 'UNAUTHORIZED');
    await refusedUnchanged(db, () => anon.messages.unreact.mutate({ ...mid, emoji: '✅' }), 'UNAUTHORIZED');
    await refusedUnchanged(db, () => anon.messages.search.query({ query: 'needle' }), 'UNAUTHORIZED');
    await refusedUnchanged(db, () => anon.messages.markRead.mutate({ channel_id: f.channel.id, seq: 1 }), 'UNAUTHORIZED');
  });

  test('an outsider searching without filters finds nothing from groups they are not in', async () => {
    const f = await fixture();
    expect(await cast.outsider.client.messages.search.query({ query: 'needle' })).toEqual([]);
    await expectCode(cast.outsider.client.messages.search.query({ query: 'needle', channel_id: f.channel.id }), 'NOT_FOUND');
    expect((await cast.other.client.messages.search.query({ query: 'needle', channel_id: f.channel.id })).map((m) => m.id)).toContain(
      f.message.id,
    );
  });

  test('an author who left the group can no longer edit, delete or react to their message', async () => {
    const f = await fixture();
    await cast.member.client.groups.removeMember.mutate({ group_id: f.group.id, user_id: cast.member.id });
    const db = server.db.database;
    const mid = { message_id: f.message.id };
    await refusedUnchanged(db, () => cast.member.client.messages.edit.mutate({ ...mid, content: 'still mine?' }), 'NOT_FOUND');
    await refusedUnchanged(db, () => cast.member.client.messages.delete.mutate(mid), 'NOT_FOUND');
    await refusedUnchanged(db, () => cast.member.client.messages.unreact.mutate({ ...mid, emoji: '✅' }), 'NOT_FOUND');
    await refusedUnchanged(db, () => cast.member.client.messages.markRead.mutate({ channel_id: f.channel.id, seq: 1 }), 'NOT_FOUND');
    // The message itself stays, and the group's moderators can still remove it.
    expect(await cast.owner.client.messages.delete.mutate(mid)).toEqual({ ok: true });
  });

  test('an admin may delete the owner’s message; a member may not delete an admin’s', async () => {
    const f = await fixture();
    const byOwner = await cast.owner.client.messages.send.mutate({ channel_id: f.channel.id, content: 'owner says' });
    const byAdmin = await cast.admin.client.messages.send.mutate({ channel_id: f.channel.id, content: 'admin says' });
    await refusedUnchanged(server.db.database, () => cast.other.client.messages.delete.mutate({ message_id: byAdmin.id }), 'FORBIDDEN');
    expect(await cast.admin.client.messages.delete.mutate({ message_id: byOwner.id })).toEqual({ ok: true });
    const left = (await cast.other.client.messages.list.query({ channel_id: f.channel.id })).items.map((m) => m.id);
    expect(left).toEqual([byAdmin.id, f.message.id]);
  });
});
