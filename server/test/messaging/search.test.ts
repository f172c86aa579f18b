import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test';
import type { Channel, Group, Message } from '../../../shared/entities.ts';
import {
  type Cast,
  createGroupFixture,
  expectCode,
  type GroupFixture,
  registerCast,
  startTestServer,
  type TestServer,
  unknownId,
} from '../helpers/fixtures.ts';

/** messages.search: PostgreSQL full-text semantics, visibility, filters, ranking and snippets. */
setDefaultTimeout(60_000);

let server: TestServer;
let cast: Cast;
let main: GroupFixture;
let second: Channel;
let hidden: { group: Group; channel: Channel };
let other: GroupFixture;
const sent: Record<string, Message> = {};

const corpus: Array<[key: string, where: 'main' | 'second' | 'other' | 'hidden', content: string]> = [
  ['running', 'main', 'I was running late for the standup this morning'],
  ['runs', 'second', 'the deploy pipeline runs every night'],
  ['fox', 'main', 'the quick brown fox jumps over the lazy dog'],
  ['foxSplit', 'main', 'a quick reply: the fox was brown'],
  ['cats', 'main', 'cats and dogs living together'],
  ['catsOnly', 'second', 'cats are the best pets'],
  ['deploy1', 'main', 'deploy deploy deploy: the deploy is stuck again'],
  ['deploy2', 'main', 'who can review the deploy checklist'],
  ['deploy3', 'second', 'a long message that mentions a deploy only once among many other unrelated words about lunch plans'],
  ['otherGroup', 'other', 'running the zebra migration in the other group'],
  ['hidden', 'hidden', 'running secret zebra plans nobody else may read'],
  ['markup', 'main', 'the xylophone <svg/onload=alert(1)> <img src=x onerror=alert(1)//'],
  ['gone', 'main', 'this xylophone message will be deleted'],
];

beforeAll(async () => {
  server = await startTestServer();
  cast = await registerCast(server);
  main = await createGroupFixture(cast, 'search main');
  second = await cast.owner.client.channels.create.mutate({ group_id: main.group.id, name: 'second', type: 'TEXT' });
  other = await createGroupFixture(cast, 'search other');
  // A group only the outsider belongs to.
  const group = await cast.outsider.client.groups.create.mutate({ name: 'hidden' });
  hidden = { group, channel: await cast.outsider.client.channels.create.mutate({ group_id: group.id, name: 'secret', type: 'TEXT' }) };
  const channelOf = { main: main.channel.id, second: second.id, other: other.channel.id, hidden: hidden.channel.id };
  for (const [key, where, content] of corpus) {
    const author = where === 'hidden' ? cast.outsider : cast.member;
    sent[key] = await author.client.messages.send.mutate({ channel_id: channelOf[where], content });
  }
  await cast.member.client.messages.delete.mutate({ message_id: sent.gone!.id });
  await cast.admin.client.messages.react.mutate({ message_id: sent.fox!.id, emoji: '🦊' });
}, 60_000);
afterAll(() => server?.stop(), 30_000);

const search = (query: string, opts: { group_id?: string; channel_id?: string; limit?: number } = {}) =>
  cast.member.client.messages.search.query({ query, ...opts });
const keys = (hits: Message[]) => hits.map((h) => Object.entries(sent).find(([, m]) => m.id === h.id)?.[0] ?? `unknown ${h.id}`);
const sorted = (xs: string[]) => [...xs].sort();

describe('matching', () => {
  test('stemming: "run" finds running and runs; "cat" finds cats', async () => {
    expect(sorted(keys(await search('run')))).toEqual(['otherGroup', 'running', 'runs']);
    expect(sorted(keys(await search('runs')))).toEqual(['otherGroup', 'running', 'runs']);
    expect(sorted(keys(await search('cat')))).toEqual(['cats', 'catsOnly']);
  });

  test('a quoted phrase matches the words adjacent and in order; unquoted words match anywhere', async () => {
    expect(keys(await search('"quick brown fox"'))).toEqual(['fox']);
    expect(keys(await search('"brown fox"'))).toEqual(['fox']);
    expect(keys(await search('"fox brown"'))).toEqual([]);
    expect(sorted(keys(await search('quick fox')))).toEqual(['fox', 'foxSplit']);
    expect(sorted(keys(await search('quick OR lazy')))).toEqual(['fox', 'foxSplit']);
  });

  test('exclusion with -word', async () => {
    expect(keys(await search('cats -dogs'))).toEqual(['catsOnly']);
    expect(keys(await search('fox -lazy'))).toEqual(['foxSplit']);
    expect(sorted(keys(await search('deploy -checklist -lunch')))).toEqual(['deploy1', 'runs']);
  });

  test('case and punctuation do not matter', async () => {
    expect(keys(await search('STANDUP!'))).toEqual(['running']);
    expect(keys(await search('  Standup,  '))).toEqual(['running']);
  });
});

describe('visibility and filters', () => {
  test('never returns messages from groups the caller is not in', async () => {
    expect(keys(await search('zebra'))).toEqual(['otherGroup']);
    expect(keys(await cast.outsider.client.messages.search.query({ query: 'zebra' }))).toEqual(['hidden']);
    expect(await cast.newcomer.client.messages.search.query({ query: 'running' })).toEqual([]);
    expect(await search('secret')).toEqual([]);
  });

  test('group_id and channel_id narrow the results', async () => {
    expect(sorted(keys(await search('running OR runs', { group_id: main.group.id })))).toEqual(['running', 'runs']);
    expect(keys(await search('running OR runs', { group_id: other.group.id }))).toEqual(['otherGroup']);
    expect(keys(await search('run', { channel_id: second.id }))).toEqual(['runs']);
    expect(keys(await search('run', { channel_id: main.channel.id }))).toEqual(['running']);
    expect(keys(await search('run', { group_id: main.group.id, channel_id: second.id }))).toEqual(['runs']);
    // A channel outside the given group: nothing matches both.
    expect(await search('run', { group_id: other.group.id, channel_id: second.id })).toEqual([]);
  });

  test('a group or channel the caller cannot see is NOT_FOUND, like one that does not exist', async () => {
    const notIn = await expectCode(search('zebra', { group_id: hidden.group.id }), 'NOT_FOUND');
    const absent = await expectCode(search('zebra', { group_id: unknownId() }), 'NOT_FOUND');
    expect(notIn.message).toBe(absent.message);
    await expectCode(search('zebra', { channel_id: hidden.channel.id }), 'NOT_FOUND');
  });

  test('a member who leaves a group stops finding its messages', async () => {
    const g = await createGroupFixture(cast, 'leaving');
    await cast.owner.client.messages.send.mutate({ channel_id: g.channel.id, content: 'quetzal sighting report' });
    expect(await cast.other.client.messages.search.query({ query: 'quetzal' })).toHaveLength(1);
    await cast.other.client.groups.removeMember.mutate({ group_id: g.group.id, user_id: cast.other.id });
    expect(await cast.other.client.messages.search.query({ query: 'quetzal' })).toEqual([]);
  });

  test('deleted messages are not found, edited messages are found by their new words only', async () => {
    expect(keys(await search('xylophone'))).toEqual(['markup']);
    const m = await cast.member.client.messages.send.mutate({ channel_id: main.channel.id, content: 'original wombat text' });
    await cast.member.client.messages.edit.mutate({ message_id: m.id, content: 'replacement platypus text' });
    expect(await search('wombat')).toEqual([]);
    const [hit] = await search('platypus');
    expect(hit).toMatchObject({ id: m.id, content: 'replacement platypus text', edited_at: expect.any(String) });
    await cast.member.client.messages.delete.mutate({ message_id: m.id });
    expect(await search('platypus')).toEqual([]);
  });
});

describe('results', () => {
  test('ranked: more matches rank higher, equal ranks newest first; limit keeps the best', async () => {
    // deploy1 says it five times; the other three once each and tie, newest first.
    expect(keys(await search('deploy'))).toEqual(['deploy1', 'deploy3', 'deploy2', 'runs']);
    expect(keys(await search('deploy', { limit: 2 }))).toEqual(['deploy1', 'deploy3']);
    // Matching both alternatives beats matching one.
    expect(keys(await search('quick OR lazy'))).toEqual(['fox', 'foxSplit']);
    expect(keys(await search('lazy OR reply'))).toEqual(['foxSplit', 'fox']);
  });

  test('each hit is the message as the caller sees it, plus a snippet with <b>matches</b>', async () => {
    const [hit] = await search('foxes jumps');
    expect(hit).toEqual({
      ...sent.fox!,
      reactions: [{ emoji: '🦊', count: 1, me: false }],
      snippet: expect.any(String),
    });
    expect(hit!.snippet!).toContain('quick brown <b>fox</b> <b>jumps</b>');
    const [mine] = await cast.admin.client.messages.search.query({ query: 'lazy dog' });
    expect(mine!.reactions).toEqual([{ emoji: '🦊', count: 1, me: true }]);
    expect(mine!.snippet!).toContain('<b>lazy</b> <b>dog</b>');

    const [stemmed] = await search('run', { channel_id: main.channel.id });
    expect(stemmed!.snippet!).toContain('<b>running</b>');
    // Only matched words are marked.
    expect(stemmed!.snippet!.replaceAll(/<b>[^<]*<\/b>/g, '')).not.toContain('<b>');
  });

  test('the snippet marks matches but does not pass the message’s own markup through as HTML', async () => {
    const [hit] = await search('xylophone');
    expect(hit!.content).toBe(sent.markup!.content);
    expect(hit!.snippet!).toContain('<b>xylophone</b>');
    // Any '<' that is not one of the server's own <b>/</b> must reach the client escaped.
    expect(hit!.snippet!.replaceAll('<b>', '').replaceAll('</b>', '')).not.toContain('<');
  });

  test('control characters in a message cannot forge <b> marks in the snippet', async () => {
    const m = await cast.member.client.messages.send.mutate({
      channel_id: main.channel.id,
      content: 'zither \u0002forged\u0003 \u0001bold\u0004 end',
    });
    const [hit] = await search('zither');
    expect(hit!.id).toBe(m.id);
    expect(hit!.snippet!.match(/<b>/g)).toEqual(['<b>']);
    expect(hit!.snippet!.match(/<\/b>/g)).toEqual(['</b>']);
    expect(hit!.snippet!).toContain('<b>zither</b>');
  });
});
