import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { Channel } from '../../../shared/entities.ts';
import {
  caller,
  createGroupFixture,
  expectCode,
  expectRefusedUnchanged,
  registerCast,
  ROLES,
  type Account,
  type Cast,
  type CallerRole,
  type GroupFixture,
} from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

/** The authorization matrix for every channel procedure, caller as outsider / member / admin / owner. */
let server: TestServer;
let cast: Cast;
beforeAll(async () => {
  server = await startTestServer();
  cast = await registerCast(server.url);
}, 60_000);
afterAll(() => server.stop(), 30_000);

type Expected = 'ok' | 'NOT_FOUND' | 'FORBIDDEN';
interface Case {
  expect: Record<CallerRole, Expected>;
  run(me: Account, f: GroupFixture): Promise<unknown>;
  check(result: any, f: GroupFixture, me: Account): Promise<void>;
}

const managers = { outsider: 'NOT_FOUND', member: 'FORBIDDEN', admin: 'ok', owner: 'ok' } as const;
const members = { outsider: 'NOT_FOUND', member: 'ok', admin: 'ok', owner: 'ok' } as const;

/** The channels of the fixture's group as a plain member sees them. */
const channelsSeenByMember = (f: GroupFixture) => cast.member.client.channels.list.query({ group_id: f.group.id });

const cases: Record<string, Case> = {
  'channels.create': {
    expect: managers,
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
    expect: members,
    run: (me, f) => me.client.channels.list.query({ group_id: f.group.id }),
    async check(result: Channel[], f) {
      expect(result).toHaveLength(1);
      expect(result[0]).toMatchObject(f.channel);
    },
  },
  'channels.get': {
    expect: members,
    run: (me, f) => me.client.channels.get.query({ channel_id: f.channel.id }),
    async check(result: Channel, f) {
      expect(result).toEqual(f.channel);
    },
  },
  'channels.update': {
    expect: managers,
    run: (me, f) => me.client.channels.update.mutate({ channel_id: f.channel.id, name: `by ${me.username}`, topic: 'new topic' }),
    async check(result: Channel, f, me) {
      const expected = { ...f.channel, name: `by ${me.username}`, topic: 'new topic' };
      expect(result).toEqual(expected);
      expect(await cast.member.client.channels.get.query({ channel_id: f.channel.id })).toEqual(expected);
    },
  },
  'channels.delete': {
    expect: managers,
    run: (me, f) => me.client.channels.delete.mutate({ channel_id: f.channel.id }),
    async check(result, f) {
      expect(result).toEqual({ ok: true });
      await expectCode(cast.member.client.channels.get.query({ channel_id: f.channel.id }), 'NOT_FOUND');
      expect(await channelsSeenByMember(f)).toEqual([]);
    },
  },
};

for (const [procedure, c] of Object.entries(cases)) {
  describe(procedure, () => {
    for (const role of ROLES) {
      const expected = c.expect[role];
      test(`as ${role}: ${expected}`, async () => {
        const f = await createGroupFixture(cast, `${procedure} ${role}`);
        const me = caller(cast, role);
        if (expected === 'ok') await c.check(await c.run(me, f), f, me);
        else await expectRefusedUnchanged(server.database, () => c.run(me, f), expected);
      });
    }
  });
}

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
