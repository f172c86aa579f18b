import { afterAll, beforeAll, expect, setDefaultTimeout, test } from 'bun:test';
import { eq } from 'drizzle-orm';
import { LIMITS } from '../../../shared/limits.ts';
import { invites } from '../../db/schema/index.ts';
import {
  type Cast,
  createGroupFixture,
  expectRefusedUnchanged,
  register,
  registerCast,
  startTestServer,
  type TestServer,
} from '../helpers/fixtures.ts';

/** Joining groups with invite codes: expiry, use limits, unknown codes, idempotent re-joins. */
// Bun's default of 5 s per test is too short for a loaded machine; never relied upon for timing.
setDefaultTimeout(30_000);

let server: TestServer;
let cast: Cast;
beforeAll(async () => {
  server = await startTestServer();
  cast = await registerCast(server);
}, 60_000);
afterAll(() => server.stop(), 30_000);

const inviteRow = async (code: string) => (await server.database.db.select().from(invites).where(eq(invites.code, code)))[0]!;
const refused = (call: () => Promise<unknown>, code: string) => expectRefusedUnchanged(server.database, call, code);

test('a valid code makes the caller a member and counts one use', async () => {
  const { group } = await createGroupFixture(cast);
  const invite = await cast.admin.client.groups.createInvite.mutate({ group_id: group.id, max_uses: 5 });
  const joined = await cast.newcomer.client.groups.join.mutate({ code: invite.code });
  expect(joined).toEqual({ ...group, my_role: 'member' });
  expect((await inviteRow(invite.code)).uses).toBe(1);
  const members = await cast.owner.client.groups.members.query({ group_id: group.id });
  expect(members.find((m) => m.user.id === cast.newcomer.id)).toMatchObject({ role: 'member', user: cast.newcomer.session.user });
  expect((await cast.newcomer.client.groups.list.query()).map((g) => g.id)).toContain(group.id);
});

test('invites last a week by default, or as long as asked', async () => {
  const { group } = await createGroupFixture(cast);
  const week = await cast.owner.client.groups.createInvite.mutate({ group_id: group.id });
  expect(Math.abs(new Date(week.expires_at).getTime() - (Date.now() + 7 * 86_400_000))).toBeLessThan(60_000);
  const max = await cast.owner.client.groups.createInvite.mutate({
    group_id: group.id,
    expires_in_seconds: LIMITS.inviteExpiresMaxSeconds,
  });
  expect(Math.abs(new Date(max.expires_at).getTime() - (Date.now() + LIMITS.inviteExpiresMaxSeconds * 1000))).toBeLessThan(60_000);
  expect(max.code).not.toBe(week.code);
  const row = await inviteRow(week.code);
  expect({ groupId: row.groupId, createdBy: row.createdBy, maxUses: row.maxUses, uses: row.uses }).toEqual({
    groupId: group.id,
    createdBy: cast.owner.id,
    maxUses: null,
    uses: 0,
  });
});

test('an expired invite is NOT_FOUND and admits nobody', async () => {
  const { group } = await createGroupFixture(cast);
  const { code } = await cast.owner.client.groups.createInvite.mutate({ group_id: group.id, expires_in_seconds: 3600 });
  // Expire it in the database rather than waiting for the clock.
  await server.database.db
    .update(invites)
    .set({ expiresAt: new Date(Date.now() - 1000) })
    .where(eq(invites.code, code));
  await refused(() => cast.newcomer.client.groups.join.mutate({ code }), 'NOT_FOUND');
  expect((await inviteRow(code)).uses).toBe(0);
});

test('a used-up invite (max_uses) is NOT_FOUND for the next joiner', async () => {
  const { group } = await createGroupFixture(cast);
  const { code } = await cast.owner.client.groups.createInvite.mutate({ group_id: group.id, max_uses: 1 });
  expect((await cast.newcomer.client.groups.join.mutate({ code })).id).toBe(group.id);
  await refused(() => cast.outsider.client.groups.join.mutate({ code }), 'NOT_FOUND');
  expect((await inviteRow(code)).uses).toBe(1);
  expect((await cast.owner.client.groups.members.query({ group_id: group.id })).map((m) => m.user.id)).not.toContain(cast.outsider.id);
});

test('max_uses admits exactly that many distinct users', async () => {
  const { group } = await createGroupFixture(cast);
  const { code } = await cast.owner.client.groups.createInvite.mutate({ group_id: group.id, max_uses: 2 });
  const joiners = await Promise.all([register(server, 'j'), register(server, 'j'), register(server, 'j')]);
  const results = await Promise.allSettled(joiners.map((j) => j.client.groups.join.mutate({ code })));
  expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
  for (const r of results) if (r.status === 'rejected') expect((r.reason as any).data.code).toBe('NOT_FOUND');
  expect((await inviteRow(code)).uses).toBe(2);
  expect(await cast.owner.client.groups.members.query({ group_id: group.id })).toHaveLength(6);
});

test('an unknown code is NOT_FOUND', async () => {
  await refused(() => cast.newcomer.client.groups.join.mutate({ code: 'NoSuchInviteCode' }), 'NOT_FOUND');
});

test('joining twice returns the group without using the invite again', async () => {
  const { group } = await createGroupFixture(cast);
  const { code } = await cast.owner.client.groups.createInvite.mutate({ group_id: group.id, max_uses: 1 });
  const first = await cast.newcomer.client.groups.join.mutate({ code });
  // The invite is now used up, yet a member re-joining simply gets the group back.
  const again = await cast.newcomer.client.groups.join.mutate({ code });
  expect(again).toEqual(first);
  expect((await inviteRow(code)).uses).toBe(1);
});

test('two concurrent joins by one user (a double click) both return the group and use the invite once', async () => {
  const { group } = await createGroupFixture(cast);
  const { code } = await cast.owner.client.groups.createInvite.mutate({ group_id: group.id, max_uses: 5 });
  const joiner = await register(server, 'double');
  const both = await Promise.all([joiner.client.groups.join.mutate({ code }), joiner.client.groups.join.mutate({ code })]);
  expect(both).toEqual([
    { ...group, my_role: 'member' },
    { ...group, my_role: 'member' },
  ]);
  expect((await inviteRow(code)).uses).toBe(1);
});

test('an existing member redeeming a code keeps their role and leaves the invite for others', async () => {
  const { group } = await createGroupFixture(cast);
  const { code } = await cast.owner.client.groups.createInvite.mutate({ group_id: group.id, max_uses: 1 });
  expect(await cast.admin.client.groups.join.mutate({ code })).toEqual({ ...group, my_role: 'admin' });
  expect(await cast.owner.client.groups.join.mutate({ code })).toEqual({ ...group, my_role: 'owner' });
  expect((await inviteRow(code)).uses).toBe(0);
  expect((await cast.newcomer.client.groups.join.mutate({ code })).my_role).toBe('member');
});

test('a member who left can come back through an invite', async () => {
  const { group } = await createGroupFixture(cast);
  const { code } = await cast.admin.client.groups.createInvite.mutate({ group_id: group.id });
  await cast.member.client.groups.removeMember.mutate({ group_id: group.id, user_id: cast.member.id });
  expect(await cast.member.client.groups.join.mutate({ code })).toEqual({ ...group, my_role: 'member' });
  expect((await inviteRow(code)).uses).toBe(1);
});

test('codes are trimmed but otherwise exact', async () => {
  const { group } = await createGroupFixture(cast);
  const { code } = await cast.owner.client.groups.createInvite.mutate({ group_id: group.id });
  expect((await cast.newcomer.client.groups.join.mutate({ code: ` ${code} ` })).id).toBe(group.id);
  await refused(() => cast.outsider.client.groups.join.mutate({ code: `${code}x` }), 'NOT_FOUND');
});
