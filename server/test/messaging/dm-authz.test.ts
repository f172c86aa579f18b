import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test';
import type { DirectMessage } from '../../../shared/entities.ts';
import {
  type Account,
  anonClient,
  authzMatrix,
  expectCode,
  fullSnapshot,
  type MatrixCase,
  refusedUnchanged,
  startTestServer,
  type TestServer,
  unknownId,
  users,
} from '../helpers/fixtures.ts';

/**
 * Who may edit, delete, react to and mark read a direct message: its author, its recipient, or a
 * third user who is neither. Every case gets a fresh pair so that results are exact.
 */
setDefaultTimeout(60_000);

let server: TestServer;
let third: Account;
beforeAll(async () => {
  server = await startTestServer();
  // In process (createCaller): this suite is about who may do what, not about the transport.
  [third] = (await users(server, 'third')) as [Account];
}, 60_000);
afterAll(() => server?.stop(), 30_000);

const WHO = ['author', 'recipient', 'third'] as const;
type Who = (typeof WHO)[number];

interface Fixture {
  author: Account;
  recipient: Account;
  third: Account;
  message: DirectMessage;
}

/** A fresh author/recipient pair (and the third user) with one DM that its recipient reacted to with ✅. */
async function fixture(): Promise<Fixture> {
  const [author, recipient] = (await users(server, 'author', 'recipient')) as [Account, Account];
  const sent = await author.client.dms.send.mutate({ user_id: recipient.id, content: 'between us two' });
  await recipient.client.dms.react.mutate({ message_id: sent.id, emoji: '✅' });
  const message = { ...sent, reactions: [{ emoji: '✅', count: 1, me: false }] };
  return { author, recipient, third, message };
}

/** The DM as its author sees it in the pair's history (undefined once deleted). */
const current = async (f: Fixture) =>
  (await f.author.client.dms.list.query({ user_id: f.recipient.id })).items.find((m) => m.id === f.message.id);

const participants = { author: 'ok', recipient: 'ok', third: 'NOT_FOUND' } as const;

const cases: Record<string, MatrixCase<Who, Fixture>> = {
  'dms.edit': {
    expect: { author: 'ok', recipient: 'FORBIDDEN', third: 'NOT_FOUND' },
    run: (me, f) => me.client.dms.edit.mutate({ message_id: f.message.id, content: 'said differently' }),
    async check(result: DirectMessage, f) {
      expect(result).toEqual({ ...f.message, content: 'said differently', edited_at: expect.any(String) });
      expect(await current(f)).toEqual(result);
    },
  },
  'dms.delete': {
    expect: { author: 'ok', recipient: 'FORBIDDEN', third: 'NOT_FOUND' },
    run: (me, f) => me.client.dms.delete.mutate({ message_id: f.message.id }),
    async check(result, f) {
      expect(result).toEqual({ ok: true });
      expect(await current(f)).toBeUndefined();
      expect((await f.recipient.client.dms.list.query({ user_id: f.author.id })).items).toEqual([]);
      const row = (await fullSnapshot(server.db.database)).directMessages.find((m) => m.id === f.message.id);
      expect(row).toMatchObject({ content: '', deletedAt: expect.any(Date) });
    },
  },
  'dms.react': {
    expect: participants,
    run: (me, f) => me.client.dms.react.mutate({ message_id: f.message.id, emoji: '🙂' }),
    async check(result: DirectMessage, f, me) {
      const recipient = me.id === f.recipient.id;
      expect(result.reactions).toEqual([
        { emoji: '✅', count: 1, me: recipient },
        { emoji: '🙂', count: 1, me: true },
      ]);
      expect({ ...result, reactions: [] }).toEqual({ ...f.message, reactions: [] });
      expect((await current(f))!.reactions).toEqual([
        { emoji: '✅', count: 1, me: false },
        { emoji: '🙂', count: 1, me: !recipient },
      ]);
    },
  },
  'dms.unreact': {
    expect: participants,
    async run(me, f) {
      if (me.id === f.author.id) await me.client.dms.react.mutate({ message_id: f.message.id, emoji: '✅' });
      return me.client.dms.unreact.mutate({ message_id: f.message.id, emoji: '✅' });
    },
    async check(result: DirectMessage, f, me) {
      // The author's ✅ came and went; the recipient's original one is removed by the recipient.
      const expected = me.id === f.author.id ? [{ emoji: '✅', count: 1, me: false }] : [];
      expect(result.reactions).toEqual(expected);
      expect((await current(f))!.reactions).toEqual(expected);
    },
  },
  'dms.markRead': {
    expect: participants,
    run: (me, f) => me.client.dms.markRead.mutate({ user_id: me.id === f.author.id ? f.recipient.id : f.author.id, seq: 1 }),
    async check(result, f, me) {
      expect(result).toEqual({ ok: true });
      const states = (await fullSnapshot(server.db.database)).readStates.filter((r) => r.userId === me.id);
      expect(states).toEqual([expect.objectContaining({ stream: pairKey(f.author.id, f.recipient.id), lastReadSeq: 1 })]);
    },
  },
};

/** Third-party calls address the DM by its id; the pair-addressed markRead is covered below. */
authzMatrix(
  {
    roles: WHO,
    fixture,
    account: (who, f) => f[who],
    database: () => server.db.database,
    skip: (procedure, who) => procedure === 'dms.markRead' && who === 'third',
  },
  cases,
);

describe('around a conversation', () => {
  test('a third user cannot reach a pair’s read state: marking "their" DMs read only touches their own empty pair', async () => {
    const f = await fixture();
    const before = await fullSnapshot(server.db.database);
    expect(await f.third.client.dms.markRead.mutate({ user_id: f.author.id, seq: 1 })).toEqual({ ok: true });
    // Nothing to read between the third user and the author: the read state stays where it was.
    expect(await fullSnapshot(server.db.database)).toEqual(before);
    expect(await f.recipient.client.dms.conversations.query()).toEqual([
      { user: f.author.session.user, last_message: { ...f.message, reactions: [{ emoji: '✅', count: 1, me: true }] }, unread_count: 1 },
    ]);
  });

  test('dms.conversations shows each participant only their own conversations', async () => {
    const f = await fixture();
    expect(await f.third.client.dms.conversations.query()).toEqual([]);
    const mine = await f.author.client.dms.conversations.query();
    expect(mine).toEqual([{ user: f.recipient.session.user, last_message: f.message, unread_count: 0 }]);
    const theirs = await f.recipient.client.dms.conversations.query();
    expect(theirs).toEqual([
      { user: f.author.session.user, last_message: { ...f.message, reactions: [{ emoji: '✅', count: 1, me: true }] }, unread_count: 1 },
    ]);
  });

  test('unknown partners and unknown messages are NOT_FOUND', async () => {
    const f = await fixture();
    const db = server.db.database;
    const me = f.author.client;
    await refusedUnchanged(db, () => me.dms.markRead.mutate({ user_id: unknownId(), seq: 1 }), 'NOT_FOUND');
    // A history page with an unknown partner, whichever bounds it takes (each is its own statement).
    for (const bounds of [{}, { before_seq: 10 }, { after_seq: 0 }, { before_seq: 10, after_seq: 0 }]) {
      await expectCode(me.dms.list.query({ user_id: unknownId(), ...bounds }), 'NOT_FOUND');
    }
    await refusedUnchanged(db, () => me.dms.edit.mutate({ message_id: unknownId(), content: 'x' }), 'NOT_FOUND');
    await refusedUnchanged(db, () => me.dms.delete.mutate({ message_id: unknownId() }), 'NOT_FOUND');
    await refusedUnchanged(db, () => me.dms.react.mutate({ message_id: unknownId(), emoji: '👍' }), 'NOT_FOUND');
    await refusedUnchanged(db, () => me.dms.unreact.mutate({ message_id: unknownId(), emoji: '👍' }), 'NOT_FOUND');
  });

  test('oneself is not a DM partner: dms.markRead refuses one’s own id like dms.send and dms.list do', async () => {
    const f = await fixture();
    const me = f.author.client;
    await expectCode(me.dms.send.mutate({ user_id: f.author.id, content: 'to me' }), 'BAD_REQUEST');
    await expectCode(me.dms.list.query({ user_id: f.author.id }), 'BAD_REQUEST');
    await refusedUnchanged(server.db.database, () => me.dms.markRead.mutate({ user_id: f.author.id, seq: 1 }), 'BAD_REQUEST');
  });

  test('a channel message id is not a DM id, and a DM id is not a channel message id', async () => {
    const f = await fixture();
    const group = await f.author.client.groups.create.mutate({ name: 'ids' });
    const channel = await f.author.client.channels.create.mutate({ group_id: group.id, name: 'c', type: 'TEXT' });
    const inChannel = await f.author.client.messages.send.mutate({ channel_id: channel.id, content: 'channel text' });
    const db = server.db.database;
    await refusedUnchanged(db, () => f.author.client.dms.edit.mutate({ message_id: inChannel.id, content: 'x' }), 'NOT_FOUND');
    await refusedUnchanged(db, () => f.author.client.dms.delete.mutate({ message_id: inChannel.id }), 'NOT_FOUND');
    await refusedUnchanged(db, () => f.author.client.messages.edit.mutate({ message_id: f.message.id, content: 'x' }), 'NOT_FOUND');
    await refusedUnchanged(db, () => f.author.client.messages.react.mutate({ message_id: f.message.id, emoji: '👍' }), 'NOT_FOUND');
  });

  test('without a token every DM procedure is UNAUTHORIZED and nothing changes', async () => {
    const f = await fixture();
    const anon = anonClient(server);
    const db = server.db.database;
    const mid = { message_id: f.message.id };
    await refusedUnchanged(db, () => anon.dms.edit.mutate({ ...mid, content: 'x' }), 'UNAUTHORIZED');
    await refusedUnchanged(db, () => anon.dms.delete.mutate(mid), 'UNAUTHORIZED');
    await refusedUnchanged(db, () => anon.dms.react.mutate({ ...mid, emoji: '👍' }), 'UNAUTHORIZED');
    await refusedUnchanged(db, () => anon.dms.unreact.mutate({ ...mid, emoji: '✅' }), 'UNAUTHORIZED');
    await refusedUnchanged(db, () => anon.dms.markRead.mutate({ user_id: f.author.id, seq: 1 }), 'UNAUTHORIZED');
    await refusedUnchanged(db, () => anon.dms.conversations.query(), 'UNAUTHORIZED');
  });
});

const pairKey = (a: string, b: string) => (a < b ? `d:${a}:${b}` : `d:${b}:${a}`);
