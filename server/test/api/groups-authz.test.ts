import { afterAll, beforeAll, expect, setDefaultTimeout, test } from 'bun:test';
import { eq } from 'drizzle-orm';
import type { Group, Member } from '../../../shared/entities.ts';
import { invites } from '../../db/schema/index.ts';
import {
  type Account,
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
  OWNER_ONLY,
  registerCast,
  ROLES,
  startTestServer,
  type TestServer,
} from '../helpers/fixtures.ts';

/**
 * The authorization matrix for every group procedure: each caller role gets either an exact
 * error code (with the database untouched) or an exact result whose effect is then re-read.
 */
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

const memberView = (m: Member): { user_id: string; role: string } => ({ user_id: m.user.id, role: m.role });
const byId = (a: { user_id: string }, b: { user_id: string }) => a.user_id.localeCompare(b.user_id);
const roleOf: Record<Exclude<CallerRole, 'outsider'>, Group['my_role']> = { member: 'member', admin: 'admin', owner: 'owner' };

const cases: Record<string, MatrixCase<CallerRole, GroupFixture>> = {
  'groups.get': {
    expect: MEMBERS,
    run: (me, f) => me.client.groups.get.query({ group_id: f.group.id }),
    async check(result, f, _me, role) {
      expect(result).toEqual({ ...f.group, my_role: roleOf[role as 'member'] });
    },
  },
  'groups.update': {
    expect: MANAGERS,
    run: (me, f) => me.client.groups.update.mutate({ group_id: f.group.id, name: `renamed by ${me.username}`, description: 'new' }),
    async check(result, f, me, role) {
      const expected = { ...f.group, name: `renamed by ${me.username}`, description: 'new', my_role: roleOf[role as 'admin'] };
      expect(result).toEqual(expected);
      expect(await cast.member.client.groups.get.query({ group_id: f.group.id })).toEqual({ ...expected, my_role: 'member' });
    },
  },
  'groups.delete': {
    expect: OWNER_ONLY,
    run: (me, f) => me.client.groups.delete.mutate({ group_id: f.group.id }),
    async check(result, f) {
      expect(result).toEqual({ ok: true });
      for (const who of [cast.owner, cast.admin, cast.member]) {
        await expectCode(who.client.groups.get.query({ group_id: f.group.id }), 'NOT_FOUND');
        await expectCode(who.client.channels.get.query({ channel_id: f.channel.id }), 'NOT_FOUND');
        expect((await who.client.groups.list.query()).map((g) => g.id)).not.toContain(f.group.id);
      }
    },
  },
  'groups.members': {
    expect: MEMBERS,
    run: (me, f) => me.client.groups.members.query({ group_id: f.group.id }),
    async check(result: Member[]) {
      expect(result.map(memberView).sort(byId)).toEqual(
        [
          { user_id: cast.owner.id, role: 'owner' },
          { user_id: cast.admin.id, role: 'admin' },
          { user_id: cast.member.id, role: 'member' },
          { user_id: cast.other.id, role: 'member' },
        ].sort(byId),
      );
      const owner = result.find((m) => m.user.id === cast.owner.id)!;
      expect(owner.user).toEqual(cast.owner.session.user);
      expect(owner.online).toBe(false);
      expect(new Date(owner.joined_at).toISOString()).toBe(owner.joined_at);
    },
  },
  'groups.addMember': {
    expect: MANAGERS,
    run: (me, f) => me.client.groups.addMember.mutate({ group_id: f.group.id, user_id: cast.newcomer.id }),
    async check(result: Member, f) {
      expect(result).toMatchObject({ user: cast.newcomer.session.user, role: 'member', online: false });
      expect(typeof result.joined_at).toBe('string');
      expect(await cast.newcomer.client.groups.get.query({ group_id: f.group.id })).toEqual({ ...f.group, my_role: 'member' });
    },
  },
  'groups.removeMember': {
    expect: MANAGERS,
    run: (me, f) => me.client.groups.removeMember.mutate({ group_id: f.group.id, user_id: cast.other.id }),
    async check(result, f) {
      expect(result).toEqual({ ok: true });
      const left = await cast.owner.client.groups.members.query({ group_id: f.group.id });
      expect(left.map((m) => m.user.id)).not.toContain(cast.other.id);
      expect(left).toHaveLength(3);
      await expectCode(cast.other.client.groups.get.query({ group_id: f.group.id }), 'NOT_FOUND');
    },
  },
  'groups.setRole': {
    expect: OWNER_ONLY,
    run: (me, f) => me.client.groups.setRole.mutate({ group_id: f.group.id, user_id: cast.other.id, role: 'admin' }),
    async check(result: Member, f) {
      expect(result).toMatchObject({ user: cast.other.session.user, role: 'admin' });
      expect((await cast.other.client.groups.get.query({ group_id: f.group.id })).my_role).toBe('admin');
    },
  },
  'groups.createInvite': {
    expect: MANAGERS,
    run: (me, f) => me.client.groups.createInvite.mutate({ group_id: f.group.id, max_uses: 2, expires_in_seconds: 3600 }),
    async check(result: { code: string; expires_at: string }, f) {
      expect(result.code).toMatch(/^\S{6,64}$/);
      const inOneHour = Date.now() + 3600_000;
      expect(Math.abs(new Date(result.expires_at).getTime() - inOneHour)).toBeLessThan(60_000);
      expect(await cast.newcomer.client.groups.join.mutate({ code: result.code })).toEqual({ ...f.group, my_role: 'member' });
    },
  },
  'groups.join': {
    // Everyone may redeem a code; members get their group back without using the invite.
    expect: { outsider: 'ok', member: 'ok', admin: 'ok', owner: 'ok' },
    async run(me, f) {
      const { code } = await cast.owner.client.groups.createInvite.mutate({ group_id: f.group.id, max_uses: 1 });
      return { code, group: await me.client.groups.join.mutate({ code }) };
    },
    async check(result: { code: string; group: Group }, f, _me, role) {
      expect(result.group).toEqual({ ...f.group, my_role: role === 'outsider' ? 'member' : roleOf[role] });
      const [row] = await server.database.db.select().from(invites).where(eq(invites.code, result.code));
      expect(row!.uses).toBe(role === 'outsider' ? 1 : 0);
      const members = await cast.owner.client.groups.members.query({ group_id: f.group.id });
      expect(members).toHaveLength(role === 'outsider' ? 5 : 4);
      expect(members.find((m) => m.user.id === caller(cast, role).id)?.role).toBe(role === 'outsider' ? 'member' : roleOf[role]);
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

test('groups.list shows exactly the groups the caller belongs to, each with the caller role', async () => {
  const f = await createGroupFixture(cast, 'listed');
  const own = await cast.outsider.client.groups.create.mutate({ name: 'outsider only' });
  const list = async (who: Account) => (await who.client.groups.list.query()).filter((g) => [f.group.id, own.id].includes(g.id));
  expect(await list(cast.outsider)).toEqual([expect.objectContaining({ ...own, my_role: 'owner' })]);
  for (const role of ['member', 'admin', 'owner'] as const) {
    expect(await list(cast[role])).toEqual([expect.objectContaining({ ...f.group, my_role: role })]);
  }
});
