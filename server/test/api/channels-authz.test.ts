import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test';
import type { Channel } from '../../../shared/entities.ts';
import {
  authzMatrix,
  caller,
  type CallerRole,
  type Cast,
  createGroupFixture,
  expectCode,
  type GroupFixture,
  MANAGERS,
  type MatrixCase,
  MEMBERS,
  registerCast,
  ROLES,
  startTestServer,
  type TestServer,
} from '../helpers/fixtures.ts';

/** The authorization matrix for every channel procedure, caller as outsider / member / admin / owner. */
// Bun's default of 5 s per test is too short for a loaded machine; never relied upon for timing.
setDefaultTimeout(30_000);

let server: TestServer;
let cast: Cast;
beforeAll(async () => {
  server = await startTestServer();
  // In process (createCaller): this suite is about who may do what, not about the transport.
  cast = await registerCast(server);
}, 60_000);
afterAll(() => server.stop(), 30_000);

/** The channels of the fixture's group as a plain member sees them. */
const channelsSeenByMember = (f: GroupFixture) => cast.member.client.channels.list.query({ group_id: f.group.id });

const cases: Record<string, MatrixCase<CallerRole, GroupFixture>> = {
  'channels.create': {
    expect: MANAGERS,
    run: (me, f) => me.client.channels.create.mutate({ group_id: f.group.id, name: `voice of ${me.username}`, type: 'VOICE', topic: 't' }),
    async check(result: Channel, f, me) {
      expect(result).toEqual({
        id: expect.any(String),
        group_id: f.group.id,
        name: `voice of ${me.username}`,
        type: 'VOICE',
        topic: 't',
        created_at: expect.any(String),
      });
      expect(result.id).not.toBe(f.channel.id);
      const listed = await channelsSeenByMember(f);
      expect(listed).toHaveLength(2);
      expect(listed[1]).toMatchObject(result);
    },
  },
  'channels.list': {
    expect: MEMBERS,
    run: (me, f) => me.client.channels.list.query({ group_id: f.group.id }),
    async check(result: Channel[], f) {
      expect(result).toHaveLength(1);
      expect(result[0]).toMatchObject(f.channel);
    },
  },
  'channels.get': {
    expect: MEMBERS,
    run: (me, f) => me.client.channels.get.query({ channel_id: f.channel.id }),
    async check(result: Channel, f) {
      expect(result).toEqual(f.channel);
    },
  },
  'channels.update': {
    expect: MANAGERS,
    run: (me, f) => me.client.channels.update.mutate({ channel_id: f.channel.id, name: `by ${me.username}`, topic: 'new topic' }),
    async check(result: Channel, f, me) {
      const expected = { ...f.channel, name: `by ${me.username}`, topic: 'new topic' };
      expect(result).toEqual(expected);
      expect(await cast.member.client.channels.get.query({ channel_id: f.channel.id })).toEqual(expected);
    },
  },
  'channels.delete': {
    expect: MANAGERS,
    run: (me, f) => me.client.channels.delete.mutate({ channel_id: f.channel.id }),
    async check(result, f) {
      expect(result).toEqual({ ok: true });
      await expectCode(cast.member.client.channels.get.query({ channel_id: f.channel.id }), 'NOT_FOUND');
      expect(await channelsSeenByMember(f)).toEqual([]);
    },
  },
};

authzMatrix(
  {
    roles: ROLES,
    fixture: () => createGroupFixture(cast, 'authz'),
    account: (role) => caller(cast, role),
    database: () => server.database,
  },
  cases,
);

describe('partial updates', () => {
  test('channels.update with only a topic keeps the name; with nothing changes nothing', async () => {
    const f = await createGroupFixture(cast, 'partial channel');
    const topicOnly = await cast.admin.client.channels.update.mutate({ channel_id: f.channel.id, topic: '' });
    expect(topicOnly).toEqual({ ...f.channel, topic: '' });
    expect(await cast.admin.client.channels.update.mutate({ channel_id: f.channel.id })).toEqual({ ...f.channel, topic: '' });
  });

  test('groups.update with only a description keeps the name', async () => {
    const f = await createGroupFixture(cast, 'partial group');
    const updated = await cast.admin.client.groups.update.mutate({ group_id: f.group.id, description: 'only this' });
    expect(updated).toEqual({ ...f.group, description: 'only this', my_role: 'admin' });
  });
});

test('every channel type can be created and keeps its type', async () => {
  const f = await createGroupFixture(cast, 'types');
  for (const type of ['TEXT', 'VOICE', 'VIDEO'] as const) {
    const channel = await cast.owner.client.channels.create.mutate({ group_id: f.group.id, name: type.toLowerCase(), type });
    expect(channel).toMatchObject({ group_id: f.group.id, name: type.toLowerCase(), type, topic: '' });
    expect(await cast.member.client.channels.get.query({ channel_id: channel.id })).toEqual(channel);
  }
  expect((await channelsSeenByMember(f)).map((c) => c.type)).toEqual(['TEXT', 'TEXT', 'VOICE', 'VIDEO']);
});

test('a member removed from the group loses access to its channels', async () => {
  const f = await createGroupFixture(cast, 'revoked');
  await cast.admin.client.groups.removeMember.mutate({ group_id: f.group.id, user_id: cast.member.id });
  await expectCode(cast.member.client.channels.get.query({ channel_id: f.channel.id }), 'NOT_FOUND');
  await expectCode(cast.member.client.channels.list.query({ group_id: f.group.id }), 'NOT_FOUND');
});
