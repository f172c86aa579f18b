import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test';
import {
  type Cast,
  createGroupFixture,
  expectCode,
  expectRefusedUnchanged,
  registerCast,
  startTestServer,
  type TestServer,
  unknownId,
} from '../helpers/fixtures.ts';

/** The role rules of groups: who may add, remove, promote and leave. */
// Bun's default of 5 s per test is too short for a loaded machine; never relied upon for timing.
setDefaultTimeout(30_000);

let server: TestServer;
let cast: Cast;
beforeAll(async () => {
  server = await startTestServer();
  cast = await registerCast(server);
}, 60_000);
afterAll(() => server.stop(), 30_000);

const roleIn = async (groupId: string, userId: string) =>
  (await cast.owner.client.groups.members.query({ group_id: groupId })).find((m) => m.user.id === userId)?.role ?? null;
const refused = (call: () => Promise<unknown>, code: string) => expectRefusedUnchanged(server.database, call, code);

describe('adding members', () => {
  test('an admin may add members but not admins', async () => {
    const { group } = await createGroupFixture(cast);
    await refused(
      () => cast.admin.client.groups.addMember.mutate({ group_id: group.id, user_id: cast.newcomer.id, role: 'admin' }),
      'FORBIDDEN',
    );
    const added = await cast.admin.client.groups.addMember.mutate({ group_id: group.id, user_id: cast.newcomer.id, role: 'member' });
    expect(added).toMatchObject({ user: cast.newcomer.session.user, role: 'member' });
    expect(await roleIn(group.id, cast.newcomer.id)).toBe('member');
  });

  test('the owner may add admins', async () => {
    const { group } = await createGroupFixture(cast);
    const added = await cast.owner.client.groups.addMember.mutate({ group_id: group.id, user_id: cast.newcomer.id, role: 'admin' });
    expect(added).toMatchObject({ user: cast.newcomer.session.user, role: 'admin', online: false });
    expect((await cast.newcomer.client.groups.get.query({ group_id: group.id })).my_role).toBe('admin');
  });

  test('adding an existing member is a CONFLICT and does not change their role', async () => {
    const { group } = await createGroupFixture(cast);
    await refused(
      () => cast.owner.client.groups.addMember.mutate({ group_id: group.id, user_id: cast.member.id, role: 'admin' }),
      'CONFLICT',
    );
    await refused(() => cast.owner.client.groups.addMember.mutate({ group_id: group.id, user_id: cast.owner.id }), 'CONFLICT');
    expect(await roleIn(group.id, cast.member.id)).toBe('member');
  });

  test('adding an unknown user is NOT_FOUND', async () => {
    const { group } = await createGroupFixture(cast);
    await refused(() => cast.owner.client.groups.addMember.mutate({ group_id: group.id, user_id: unknownId() }), 'NOT_FOUND');
  });

  test('the role "owner" cannot be granted by addMember', async () => {
    const { group } = await createGroupFixture(cast);
    const call = () =>
      cast.owner.client.groups.addMember.mutate({ group_id: group.id, user_id: cast.newcomer.id, role: 'owner' as 'admin' });
    await refused(call, 'BAD_REQUEST');
  });
});

describe('setting roles', () => {
  test('only the owner sets roles: promote then demote', async () => {
    const { group } = await createGroupFixture(cast);
    await refused(
      () => cast.admin.client.groups.setRole.mutate({ group_id: group.id, user_id: cast.member.id, role: 'admin' }),
      'FORBIDDEN',
    );
    await refused(
      () => cast.admin.client.groups.setRole.mutate({ group_id: group.id, user_id: cast.admin.id, role: 'member' }),
      'FORBIDDEN',
    );
    await refused(
      () => cast.member.client.groups.setRole.mutate({ group_id: group.id, user_id: cast.member.id, role: 'admin' }),
      'FORBIDDEN',
    );
    const promoted = await cast.owner.client.groups.setRole.mutate({ group_id: group.id, user_id: cast.member.id, role: 'admin' });
    expect(promoted).toMatchObject({ user: cast.member.session.user, role: 'admin' });
    expect(await roleIn(group.id, cast.member.id)).toBe('admin');
    // The promotion is real: the new admin can now do admin things.
    const channel = await cast.member.client.channels.create.mutate({ group_id: group.id, name: 'by promoted', type: 'TEXT' });
    expect(channel.name).toBe('by promoted');
    const demoted = await cast.owner.client.groups.setRole.mutate({ group_id: group.id, user_id: cast.admin.id, role: 'member' });
    expect(demoted).toMatchObject({ user: cast.admin.session.user, role: 'member' });
    await expectCode(cast.admin.client.channels.create.mutate({ group_id: group.id, name: 'nope', type: 'TEXT' }), 'FORBIDDEN');
  });

  test("the owner's own role cannot be changed", async () => {
    const { group } = await createGroupFixture(cast);
    await refused(
      () => cast.owner.client.groups.setRole.mutate({ group_id: group.id, user_id: cast.owner.id, role: 'member' }),
      'FORBIDDEN',
    );
    expect(await roleIn(group.id, cast.owner.id)).toBe('owner');
  });

  test('setting the role of a non-member is NOT_FOUND', async () => {
    const { group } = await createGroupFixture(cast);
    await refused(
      () => cast.owner.client.groups.setRole.mutate({ group_id: group.id, user_id: cast.outsider.id, role: 'admin' }),
      'NOT_FOUND',
    );
    await refused(() => cast.owner.client.groups.setRole.mutate({ group_id: group.id, user_id: unknownId(), role: 'member' }), 'NOT_FOUND');
  });
});

describe('removing members and leaving', () => {
  test('the owner can neither leave nor be removed', async () => {
    const { group } = await createGroupFixture(cast);
    await refused(() => cast.owner.client.groups.removeMember.mutate({ group_id: group.id, user_id: cast.owner.id }), 'FORBIDDEN');
    await refused(() => cast.admin.client.groups.removeMember.mutate({ group_id: group.id, user_id: cast.owner.id }), 'FORBIDDEN');
    await refused(() => cast.member.client.groups.removeMember.mutate({ group_id: group.id, user_id: cast.owner.id }), 'FORBIDDEN');
    expect(await roleIn(group.id, cast.owner.id)).toBe('owner');
  });

  test('an admin cannot remove another admin; the owner can', async () => {
    const { group } = await createGroupFixture(cast);
    await cast.owner.client.groups.setRole.mutate({ group_id: group.id, user_id: cast.other.id, role: 'admin' });
    await refused(() => cast.admin.client.groups.removeMember.mutate({ group_id: group.id, user_id: cast.other.id }), 'FORBIDDEN');
    expect(await roleIn(group.id, cast.other.id)).toBe('admin');
    expect(await cast.owner.client.groups.removeMember.mutate({ group_id: group.id, user_id: cast.other.id })).toEqual({ ok: true });
    expect(await roleIn(group.id, cast.other.id)).toBeNull();
  });

  test('a member cannot remove another member', async () => {
    const { group } = await createGroupFixture(cast);
    await refused(() => cast.member.client.groups.removeMember.mutate({ group_id: group.id, user_id: cast.other.id }), 'FORBIDDEN');
    await refused(() => cast.member.client.groups.removeMember.mutate({ group_id: group.id, user_id: cast.admin.id }), 'FORBIDDEN');
  });

  for (const role of ['member', 'admin'] as const) {
    test(`a ${role} can leave (remove themselves) and then learns nothing more`, async () => {
      const { group, channel } = await createGroupFixture(cast);
      const me = cast[role];
      expect(await me.client.groups.removeMember.mutate({ group_id: group.id, user_id: me.id })).toEqual({ ok: true });
      expect(await roleIn(group.id, me.id)).toBeNull();
      expect((await me.client.groups.list.query()).map((g) => g.id)).not.toContain(group.id);
      await expectCode(me.client.groups.get.query({ group_id: group.id }), 'NOT_FOUND');
      await expectCode(me.client.channels.get.query({ channel_id: channel.id }), 'NOT_FOUND');
      await expectCode(me.client.groups.removeMember.mutate({ group_id: group.id, user_id: me.id }), 'NOT_FOUND');
    });
  }

  test('removing a user who is not a member is NOT_FOUND', async () => {
    const { group } = await createGroupFixture(cast);
    await refused(() => cast.owner.client.groups.removeMember.mutate({ group_id: group.id, user_id: cast.outsider.id }), 'NOT_FOUND');
    await refused(() => cast.admin.client.groups.removeMember.mutate({ group_id: group.id, user_id: unknownId() }), 'NOT_FOUND');
  });

  test('a removed member can be added back', async () => {
    const { group } = await createGroupFixture(cast);
    await cast.admin.client.groups.removeMember.mutate({ group_id: group.id, user_id: cast.member.id });
    const back = await cast.admin.client.groups.addMember.mutate({ group_id: group.id, user_id: cast.member.id });
    expect(back.role).toBe('member');
    expect((await cast.member.client.groups.get.query({ group_id: group.id })).my_role).toBe('member');
  });
});

describe('creating and deleting groups', () => {
  test('the creator is the owner; name and description are trimmed', async () => {
    const group = await cast.newcomer.client.groups.create.mutate({ name: '  Book club  ', description: '  weekly  ' });
    expect(group).toEqual({
      id: expect.any(String),
      name: 'Book club',
      description: 'weekly',
      owner_id: cast.newcomer.id,
      my_role: 'owner',
      created_at: expect.any(String),
    });
    expect(new Date(group.created_at).toISOString()).toBe(group.created_at);
    const members = await cast.newcomer.client.groups.members.query({ group_id: group.id });
    expect(members.map((m) => [m.user.id, m.role])).toEqual([[cast.newcomer.id, 'owner']]);
    const bare = await cast.newcomer.client.groups.create.mutate({ name: 'no description' });
    expect(bare.description).toBe('');
  });

  test('deleting a group takes its channels and invites with it', async () => {
    const { group, channel } = await createGroupFixture(cast);
    const { code } = await cast.owner.client.groups.createInvite.mutate({ group_id: group.id });
    await cast.owner.client.groups.delete.mutate({ group_id: group.id });
    await expectCode(cast.owner.client.channels.get.query({ channel_id: channel.id }), 'NOT_FOUND');
    await expectCode(cast.owner.client.groups.delete.mutate({ group_id: group.id }), 'NOT_FOUND');
    await expectCode(cast.newcomer.client.groups.join.mutate({ code }), 'NOT_FOUND');
  });
});
