import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test';
import type { DirectMessage, Message } from '../../../shared/entities.ts';
import { LIMITS } from '../../../shared/limits.ts';
import {
  badInputUnchanged,
  type Cast,
  createGroupFixture,
  fullSnapshot,
  type GroupFixture,
  refusedUnchanged,
  registerCast,
  startTestServer,
  type TestServer,
  unknownId,
} from '../helpers/fixtures.ts';

/** Bad input to the messaging procedures: a typed error (never a 500) and no change anywhere in the database. */
setDefaultTimeout(60_000);

let server: TestServer;
let cast: Cast;
let f: GroupFixture;
let message: Message;
let dm: DirectMessage;
beforeAll(async () => {
  server = await startTestServer();
  cast = await registerCast(server);
  f = await createGroupFixture(cast, 'validation');
  message = await cast.member.client.messages.send.mutate({ channel_id: f.channel.id, content: 'valid message about foxes' });
  await cast.other.client.messages.react.mutate({ message_id: message.id, emoji: '👍' });
  dm = await cast.member.client.dms.send.mutate({ user_id: cast.other.id, content: 'valid dm' });
}, 60_000);
afterAll(() => server?.stop(), 30_000);

const db = () => server.db.database;
const me = () => cast.member.client;

describe('edit', () => {
  const bad: Array<[string, string]> = [
    ['empty', ''],
    ['whitespace only', '   \t\n  '],
    ['over the limit', 'x'.repeat(LIMITS.contentMax + 1)],
    ['with NUL', 'a\u0000b'],
  ];
  for (const [what, content] of bad) {
    test(`${what}: BAD_REQUEST at content, for channel messages and DMs`, async () => {
      await badInputUnchanged(db(), () => me().messages.edit.mutate({ message_id: message.id, content }), ['content']);
      await badInputUnchanged(db(), () => me().dms.edit.mutate({ message_id: dm.id, content }), ['content']);
    });
  }

  test('the longest content is accepted', async () => {
    const content = 'y'.repeat(LIMITS.contentMax);
    expect((await me().messages.edit.mutate({ message_id: message.id, content })).content).toBe(content);
    expect((await me().dms.edit.mutate({ message_id: dm.id, content })).content).toBe(content);
    await me().messages.edit.mutate({ message_id: message.id, content: 'valid message about foxes' });
  });

  test('unknown or malformed message ids', async () => {
    await refusedUnchanged(db(), () => me().messages.edit.mutate({ message_id: unknownId(), content: 'x' }), 'NOT_FOUND');
    await refusedUnchanged(db(), () => me().dms.edit.mutate({ message_id: unknownId(), content: 'x' }), 'NOT_FOUND');
    await badInputUnchanged(db(), () => me().messages.edit.mutate({ message_id: 'not-a-uuid', content: 'x' }), ['message_id']);
    await badInputUnchanged(db(), () => me().messages.delete.mutate({ message_id: '' }), ['message_id']);
    await badInputUnchanged(db(), () => me().dms.delete.mutate({ message_id: 42 as never }), ['message_id']);
    await refusedUnchanged(db(), () => me().messages.delete.mutate({ message_id: unknownId() }), 'NOT_FOUND');
    await refusedUnchanged(db(), () => me().dms.delete.mutate({ message_id: unknownId() }), 'NOT_FOUND');
  });
});

describe('react', () => {
  const bad: Array<[string, string]> = [
    ['empty', ''],
    ['blank', '   '],
    ['too long', '😀'.repeat(LIMITS.emojiMax + 1)],
    ['too long custom name', `:${'a'.repeat(LIMITS.emojiMax)}:`],
    ['a word', 'thumbsup'],
    ['letters around an emoji', 'a👍'],
    ['markup', '<b>👍</b>'],
    ['custom name with spaces', ':party parrot:'],
    ['custom name unclosed', ':party_parrot'],
    ['digits', '42'],
    ['a hash sign', '#'],
  ];
  for (const [what, emoji] of bad) {
    test(`${what} (${JSON.stringify(emoji).slice(0, 20)}): BAD_REQUEST at emoji, nothing stored`, async () => {
      for (const proc of [me().messages.react, me().messages.unreact])
        await badInputUnchanged(db(), () => proc.mutate({ message_id: message.id, emoji }), ['emoji']);
      for (const proc of [me().dms.react, me().dms.unreact])
        await badInputUnchanged(db(), () => proc.mutate({ message_id: dm.id, emoji }), ['emoji']);
    });
  }

  test('reacting to an unknown message is NOT_FOUND', async () => {
    await refusedUnchanged(db(), () => me().messages.react.mutate({ message_id: unknownId(), emoji: '👍' }), 'NOT_FOUND');
    await refusedUnchanged(db(), () => me().messages.unreact.mutate({ message_id: unknownId(), emoji: '👍' }), 'NOT_FOUND');
    await refusedUnchanged(db(), () => me().dms.react.mutate({ message_id: unknownId(), emoji: '👍' }), 'NOT_FOUND');
  });
});

describe('search', () => {
  const empty: Array<[string, string]> = [
    ['stop words only', 'the and of'],
    ['operators only', '"" OR -'],
    ['punctuation only', '!!! &&& ||| ::'],
    ['negated stop word', '-the'],
    ['quoted stop words', '"to be or not to be"'],
  ];
  for (const [what, query] of empty) {
    test(`${what}: BAD_REQUEST`, async () => {
      const error = await refusedUnchanged(db(), () => me().messages.search.query({ query }), 'BAD_REQUEST');
      expect(error.httpStatus).toBe(400);
      expect(error.message.length).toBeGreaterThan(0);
    });
  }

  test('empty, blank, over 256 characters and 10 KB queries: BAD_REQUEST at query', async () => {
    for (const query of ['', '    ', 'fox '.repeat(65).trim() + 'es', 'fox '.repeat(2560)])
      await badInputUnchanged(db(), () => me().messages.search.query({ query }), ['query']);
    // Exactly the limit is fine.
    const longest = ('foxes ' + 'a'.repeat(LIMITS.searchQueryMax)).slice(0, LIMITS.searchQueryMax);
    expect(longest).toHaveLength(LIMITS.searchQueryMax);
    expect(await me().messages.search.query({ query: longest })).toEqual([]);
  });

  test('bad limits and ids: BAD_REQUEST at the field', async () => {
    await badInputUnchanged(db(), () => me().messages.search.query({ query: 'fox', limit: 0 }), ['limit']);
    await badInputUnchanged(db(), () => me().messages.search.query({ query: 'fox', limit: LIMITS.searchLimitMax + 1 }), ['limit']);
    await badInputUnchanged(db(), () => me().messages.search.query({ query: 'fox', limit: 2.5 }), ['limit']);
    await badInputUnchanged(db(), () => me().messages.search.query({ query: 'fox', group_id: 'nope' }), ['group_id']);
    await badInputUnchanged(db(), () => me().messages.search.query({ query: 'fox', channel_id: 'nope' }), ['channel_id']);
    // Well-formed ids that name nothing the caller can see.
    await refusedUnchanged(db(), () => me().messages.search.query({ query: 'fox', group_id: unknownId() }), 'NOT_FOUND');
    await refusedUnchanged(db(), () => me().messages.search.query({ query: 'fox', channel_id: unknownId() }), 'NOT_FOUND');
  });
});

describe('sequences', () => {
  test('negative or fractional seq to markRead: BAD_REQUEST at seq, read state unchanged', async () => {
    for (const seq of [-1, -1_000_000, 1.5, Number.NaN]) {
      await badInputUnchanged(db(), () => me().messages.markRead.mutate({ channel_id: f.channel.id, seq }), ['seq']);
      await badInputUnchanged(db(), () => me().dms.markRead.mutate({ user_id: cast.other.id, seq }), ['seq']);
    }
    await badInputUnchanged(db(), () => me().messages.markRead.mutate({ channel_id: f.channel.id } as never), ['seq']);
    await refusedUnchanged(db(), () => me().messages.markRead.mutate({ channel_id: unknownId(), seq: 1 }), 'NOT_FOUND');
  });

  test('negative cursors and out-of-range limits to messages.list and dms.list: BAD_REQUEST at the field', async () => {
    const ch = { channel_id: f.channel.id };
    const pair = { user_id: cast.other.id };
    for (const [field, value] of [
      ['before_seq', -1],
      ['after_seq', -5],
      ['before_seq', 0.5],
      ['limit', 0],
      ['limit', LIMITS.historyPageMax + 1],
    ] as const) {
      await badInputUnchanged(db(), () => me().messages.list.query({ ...ch, [field]: value }), [field]);
      await badInputUnchanged(db(), () => me().dms.list.query({ ...pair, [field]: value }), [field]);
    }
  });

  test('marking read with seq 0 changes nothing', async () => {
    const before = await fullSnapshot(db());
    expect(await me().messages.markRead.mutate({ channel_id: f.channel.id, seq: 0 })).toEqual({ ok: true });
    expect(await me().dms.markRead.mutate({ user_id: cast.other.id, seq: 0 })).toEqual({ ok: true });
    expect(await fullSnapshot(db())).toEqual(before);
  });
});
