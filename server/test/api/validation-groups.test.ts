import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { TRPCClient } from '@trpc/client';
import type { AppRouter } from '../../../client/index.ts';
import { LIMITS } from '../../../shared/limits.ts';
import {
  createGroupFixture,
  expectBadInput,
  expectRefusedUnchanged,
  failure,
  registerCast,
  snapshot,
  unknownId,
  type Cast,
  type GroupFixture,
} from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

/**
 * Bad input to every group and channel procedure, sent by the group's owner (so that only
 * validation can refuse it): a BAD_REQUEST listing `{ path, message }` issues, never an internal
 * error, and the database untouched. Well-formed ids that name nothing are NOT_FOUND.
 */
let server: TestServer;
let cast: Cast;
let f: GroupFixture;
beforeAll(async () => {
  server = await startTestServer();
  cast = await registerCast(server.url);
  f = await createGroupFixture(cast, 'validation');
}, 60_000);
afterAll(() => server.stop(), 30_000);

type Client = TRPCClient<AppRouter>;
/** Lets a test send what the types forbid, as a foreign client could. */
const any = (v: unknown) => v as any;
const long = (n: number) => 'x'.repeat(n);
const NOT_UUIDS = ['not-a-uuid', '123', '', '6f1c2a4e-1b2c-4d3e-8f90-12345678901', '6f1c2a4e1b2c4d3e8f9012345678901a', 42, null];

type BadCase = [label: string, call: (c: Client) => Promise<unknown>, path: (string | number)[]];

/** The same malformed id in every position a procedure takes one. */
const badIds = (field: string, call: (c: Client, id: any) => Promise<unknown>): BadCase[] => [
  ...NOT_UUIDS.map((id): BadCase => [`${field} = ${JSON.stringify(id)}`, (c) => call(c, id), [field]]),
  [`${field} missing`, (c) => call(c, undefined), [field]],
];

const badInput: Record<string, BadCase[]> = {
  'groups.create': [
    ['no input', (c) => c.groups.create.mutate(any(undefined)), []],
    ['input is an array', (c) => c.groups.create.mutate(any([{ name: 'x' }])), []],
    ['input is a string', (c) => c.groups.create.mutate(any('name')), []],
    ['name missing', (c) => c.groups.create.mutate(any({ description: 'd' })), ['name']],
    ['name is a number', (c) => c.groups.create.mutate(any({ name: 42 })), ['name']],
    ['name is null', (c) => c.groups.create.mutate(any({ name: null })), ['name']],
    ['name is empty', (c) => c.groups.create.mutate({ name: '' }), ['name']],
    ['name is only spaces', (c) => c.groups.create.mutate({ name: '   ' }), ['name']],
    ['name too long', (c) => c.groups.create.mutate({ name: long(LIMITS.nameMax + 1) }), ['name']],
    ['name huge', (c) => c.groups.create.mutate({ name: long(200_000) }), ['name']],
    ['description too long', (c) => c.groups.create.mutate({ name: 'n', description: long(LIMITS.descriptionMax + 1) }), ['description']],
    ['description is an object', (c) => c.groups.create.mutate(any({ name: 'n', description: {} })), ['description']],
  ],
  'groups.get': badIds('group_id', (c, id) => c.groups.get.query(any({ group_id: id }))),
  'groups.members': badIds('group_id', (c, id) => c.groups.members.query(any({ group_id: id }))),
  'groups.delete': badIds('group_id', (c, id) => c.groups.delete.mutate(any({ group_id: id }))),
  'groups.update': [
    ...badIds('group_id', (c, id) => c.groups.update.mutate(any({ group_id: id, name: 'n' }))),
    ['name is empty', (c) => c.groups.update.mutate({ group_id: f.group.id, name: ' ' }), ['name']],
    ['name too long', (c) => c.groups.update.mutate({ group_id: f.group.id, name: long(LIMITS.nameMax + 1) }), ['name']],
    ['name is a number', (c) => c.groups.update.mutate(any({ group_id: f.group.id, name: 7 })), ['name']],
    [
      'description too long',
      (c) => c.groups.update.mutate({ group_id: f.group.id, description: long(LIMITS.descriptionMax + 1) }),
      ['description'],
    ],
    ['description is null', (c) => c.groups.update.mutate(any({ group_id: f.group.id, description: null })), ['description']],
  ],
  'groups.addMember': [
    ...badIds('group_id', (c, id) => c.groups.addMember.mutate(any({ group_id: id, user_id: cast.newcomer.id }))),
    ...badIds('user_id', (c, id) => c.groups.addMember.mutate(any({ group_id: f.group.id, user_id: id }))),
    ['role "owner"', (c) => c.groups.addMember.mutate(any({ group_id: f.group.id, user_id: cast.newcomer.id, role: 'owner' })), ['role']],
    ['role "ADMIN"', (c) => c.groups.addMember.mutate(any({ group_id: f.group.id, user_id: cast.newcomer.id, role: 'ADMIN' })), ['role']],
    ['role is a number', (c) => c.groups.addMember.mutate(any({ group_id: f.group.id, user_id: cast.newcomer.id, role: 1 })), ['role']],
  ],
  'groups.removeMember': [
    ...badIds('group_id', (c, id) => c.groups.removeMember.mutate(any({ group_id: id, user_id: cast.other.id }))),
    ...badIds('user_id', (c, id) => c.groups.removeMember.mutate(any({ group_id: f.group.id, user_id: id }))),
  ],
  'groups.setRole': [
    ...badIds('group_id', (c, id) => c.groups.setRole.mutate(any({ group_id: id, user_id: cast.other.id, role: 'admin' }))),
    ...badIds('user_id', (c, id) => c.groups.setRole.mutate(any({ group_id: f.group.id, user_id: id, role: 'admin' }))),
    ['role missing', (c) => c.groups.setRole.mutate(any({ group_id: f.group.id, user_id: cast.other.id })), ['role']],
    ['role "owner"', (c) => c.groups.setRole.mutate(any({ group_id: f.group.id, user_id: cast.other.id, role: 'owner' })), ['role']],
    ['role is null', (c) => c.groups.setRole.mutate(any({ group_id: f.group.id, user_id: cast.other.id, role: null })), ['role']],
  ],
  'groups.createInvite': [
    ...badIds('group_id', (c, id) => c.groups.createInvite.mutate(any({ group_id: id }))),
    ...[0, -1, 1.5, LIMITS.inviteMaxUsesMax + 1, '3', null].map((v): BadCase => [
      `max_uses = ${JSON.stringify(v)}`,
      (c) => c.groups.createInvite.mutate(any({ group_id: f.group.id, max_uses: v })),
      ['max_uses'],
    ]),
    ...[0, -60, 2.5, LIMITS.inviteExpiresMaxSeconds + 1, '60', true].map((v): BadCase => [
      `expires_in_seconds = ${JSON.stringify(v)}`,
      (c) => c.groups.createInvite.mutate(any({ group_id: f.group.id, expires_in_seconds: v })),
      ['expires_in_seconds'],
    ]),
  ],
  'groups.join': [
    ['code missing', (c) => c.groups.join.mutate(any({})), ['code']],
    ['code is empty', (c) => c.groups.join.mutate({ code: '' }), ['code']],
    ['code is only spaces', (c) => c.groups.join.mutate({ code: '    ' }), ['code']],
    ['code too long', (c) => c.groups.join.mutate({ code: long(65) }), ['code']],
    ['code is a number', (c) => c.groups.join.mutate(any({ code: 123456 })), ['code']],
  ],
  'channels.create': [
    ...badIds('group_id', (c, id) => c.channels.create.mutate(any({ group_id: id, name: 'c', type: 'TEXT' }))),
    ['type missing', (c) => c.channels.create.mutate(any({ group_id: f.group.id, name: 'c' })), ['type']],
    ['type lower-case', (c) => c.channels.create.mutate(any({ group_id: f.group.id, name: 'c', type: 'text' })), ['type']],
    ['type unknown', (c) => c.channels.create.mutate(any({ group_id: f.group.id, name: 'c', type: 'AUDIO' })), ['type']],
    ['name missing', (c) => c.channels.create.mutate(any({ group_id: f.group.id, type: 'TEXT' })), ['name']],
    ['name is empty', (c) => c.channels.create.mutate({ group_id: f.group.id, name: '', type: 'TEXT' }), ['name']],
    ['name too long', (c) => c.channels.create.mutate({ group_id: f.group.id, name: long(LIMITS.nameMax + 1), type: 'TEXT' }), ['name']],
    ['name is an array', (c) => c.channels.create.mutate(any({ group_id: f.group.id, name: ['c'], type: 'TEXT' })), ['name']],
    [
      'topic too long',
      (c) => c.channels.create.mutate({ group_id: f.group.id, name: 'c', type: 'TEXT', topic: long(LIMITS.topicMax + 1) }),
      ['topic'],
    ],
  ],
  'channels.list': badIds('group_id', (c, id) => c.channels.list.query(any({ group_id: id }))),
  'channels.get': badIds('channel_id', (c, id) => c.channels.get.query(any({ channel_id: id }))),
  'channels.delete': badIds('channel_id', (c, id) => c.channels.delete.mutate(any({ channel_id: id }))),
  'channels.update': [
    ...badIds('channel_id', (c, id) => c.channels.update.mutate(any({ channel_id: id, name: 'n' }))),
    ['name is empty', (c) => c.channels.update.mutate({ channel_id: f.channel.id, name: '' }), ['name']],
    ['name too long', (c) => c.channels.update.mutate({ channel_id: f.channel.id, name: long(LIMITS.nameMax + 1) }), ['name']],
    ['topic too long', (c) => c.channels.update.mutate({ channel_id: f.channel.id, topic: long(LIMITS.topicMax + 1) }), ['topic']],
    ['topic is a number', (c) => c.channels.update.mutate(any({ channel_id: f.channel.id, topic: 5 })), ['topic']],
  ],
};

describe('bad input is BAD_REQUEST with issues, and changes nothing', () => {
  for (const [procedure, cases] of Object.entries(badInput)) {
    for (const [label, call, path] of cases) {
      test(`${procedure}: ${label}`, async () => {
        const before = await snapshot(server.database);
        await expectBadInput(call(cast.owner.client), path);
        expect(await snapshot(server.database)).toEqual(before);
      });
    }
  }
});

describe('well-formed ids that name nothing are NOT_FOUND, and change nothing', () => {
  const cases: Record<string, (c: Client) => Promise<unknown>> = {
    'groups.get': (c) => c.groups.get.query({ group_id: unknownId() }),
    'groups.get (a channel id)': (c) => c.groups.get.query({ group_id: f.channel.id }),
    'groups.update': (c) => c.groups.update.mutate({ group_id: unknownId(), name: 'n' }),
    'groups.delete': (c) => c.groups.delete.mutate({ group_id: unknownId() }),
    'groups.members': (c) => c.groups.members.query({ group_id: unknownId() }),
    'groups.addMember (group)': (c) => c.groups.addMember.mutate({ group_id: unknownId(), user_id: cast.newcomer.id }),
    'groups.addMember (user)': (c) => c.groups.addMember.mutate({ group_id: f.group.id, user_id: unknownId() }),
    'groups.removeMember (group)': (c) => c.groups.removeMember.mutate({ group_id: unknownId(), user_id: cast.other.id }),
    'groups.removeMember (user)': (c) => c.groups.removeMember.mutate({ group_id: f.group.id, user_id: unknownId() }),
    'groups.setRole (group)': (c) => c.groups.setRole.mutate({ group_id: unknownId(), user_id: cast.other.id, role: 'admin' }),
    'groups.setRole (user)': (c) => c.groups.setRole.mutate({ group_id: f.group.id, user_id: unknownId(), role: 'admin' }),
    'groups.createInvite': (c) => c.groups.createInvite.mutate({ group_id: unknownId() }),
    'groups.join': (c) => c.groups.join.mutate({ code: 'nonexistent-code' }),
    'channels.create': (c) => c.channels.create.mutate({ group_id: unknownId(), name: 'c', type: 'TEXT' }),
    'channels.list': (c) => c.channels.list.query({ group_id: unknownId() }),
    'channels.get': (c) => c.channels.get.query({ channel_id: unknownId() }),
    'channels.get (a group id)': (c) => c.channels.get.query({ channel_id: f.group.id }),
    'channels.update': (c) => c.channels.update.mutate({ channel_id: unknownId(), topic: 't' }),
    'channels.delete': (c) => c.channels.delete.mutate({ channel_id: unknownId() }),
    'nil UUID': (c) => c.groups.get.query({ group_id: '00000000-0000-0000-0000-000000000000' }),
  };
  for (const [label, call] of Object.entries(cases)) {
    test(label, async () => {
      const error = await expectRefusedUnchanged(server.database, () => call(cast.owner.client), 'NOT_FOUND');
      expect(error.httpStatus).toBe(404);
    });
  }
});

describe('NUL characters (which PostgreSQL cannot store) are bad input, never an internal error', () => {
  const nul = 'a\u0000b';
  const writes: Record<string, (c: Client) => Promise<unknown>> = {
    'groups.create name': (c) => c.groups.create.mutate({ name: nul }),
    'groups.create description': (c) => c.groups.create.mutate({ name: 'n', description: nul }),
    'groups.update name': (c) => c.groups.update.mutate({ group_id: f.group.id, name: nul }),
    'groups.update description': (c) => c.groups.update.mutate({ group_id: f.group.id, description: nul }),
    'channels.create name': (c) => c.channels.create.mutate({ group_id: f.group.id, name: nul, type: 'TEXT' }),
    'channels.create topic': (c) => c.channels.create.mutate({ group_id: f.group.id, name: 'c', type: 'TEXT', topic: nul }),
    'channels.update name': (c) => c.channels.update.mutate({ channel_id: f.channel.id, name: nul }),
    'channels.update topic': (c) => c.channels.update.mutate({ channel_id: f.channel.id, topic: nul }),
  };
  for (const [label, call] of Object.entries(writes)) {
    test(label, () => expectRefusedUnchanged(server.database, () => call(cast.owner.client), 'BAD_REQUEST'));
  }
  test('groups.join code: BAD_REQUEST or NOT_FOUND', async () => {
    const before = await snapshot(server.database);
    const error = await failure(cast.newcomer.client.groups.join.mutate({ code: nul }));
    expect(error.code).toBeOneOf(['BAD_REQUEST', 'NOT_FOUND']);
    expect(await snapshot(server.database)).toEqual(before);
  });
});

describe('values at the limits are accepted', () => {
  test('names, descriptions and topics of the maximum length; max_uses and expiry at their maximum', async () => {
    const group = await cast.owner.client.groups.create.mutate({ name: long(LIMITS.nameMax), description: long(LIMITS.descriptionMax) });
    expect([group.name.length, group.description.length]).toEqual([LIMITS.nameMax, LIMITS.descriptionMax]);
    const channel = await cast.owner.client.channels.create.mutate({
      group_id: group.id,
      name: long(LIMITS.nameMax),
      type: 'VIDEO',
      topic: long(LIMITS.topicMax),
    });
    expect(await cast.owner.client.channels.get.query({ channel_id: channel.id })).toEqual(channel);
    expect([channel.name.length, channel.topic.length]).toEqual([LIMITS.nameMax, LIMITS.topicMax]);
    const invite = await cast.owner.client.groups.createInvite.mutate({
      group_id: group.id,
      max_uses: LIMITS.inviteMaxUsesMax,
      expires_in_seconds: LIMITS.inviteExpiresMaxSeconds,
    });
    expect(typeof invite.code).toBe('string');
    const single = await cast.owner.client.groups.create.mutate({ name: 'x' });
    expect(single.name).toBe('x');
  });

  test('unknown extra fields are ignored and cannot set server-owned values', async () => {
    const group = await cast.newcomer.client.groups.create.mutate(
      any({ name: 'extra', owner_id: cast.owner.id, my_role: 'member', id: f.group.id }),
    );
    expect(group).toMatchObject({ name: 'extra', owner_id: cast.newcomer.id, my_role: 'owner' });
    expect(group.id).not.toBe(f.group.id);
    const channel = await cast.owner.client.channels.create.mutate(
      any({ group_id: f.group.id, name: 'x', type: 'TEXT', id: f.channel.id }),
    );
    expect(channel.id).not.toBe(f.channel.id);
    expect(await cast.owner.client.channels.get.query({ channel_id: f.channel.id })).toEqual(f.channel);
  });
});
