import { LIMITS } from '../../../shared/limits.ts';
import type { Channel, ChannelType, Group } from '../../../shared/entities.ts';
import { createTokenService } from '../../auth/tokens.ts';
import { register, type Account } from './clients.ts';
import type { ApiTarget } from './direct.ts';
import { TEST_JWT_SECRET } from './server.ts';

/**
 * People and places for a test: registered accounts, a cast playing every group role, groups
 * with channels, and hand-minted tokens. Each takes an `ApiTarget`: a base URL gives stock HTTP
 * clients, a server gives in-process clients (see direct.ts).
 */

/** A registered user as `register` returns it (the realtime suites' name for `Account`). */
export type Registered = Account;

/** Registers one user per prefix, in parallel. */
export function users(target: ApiTarget, ...prefixes: string[]): Promise<Account[]> {
  return Promise.all(prefixes.map((p) => register(target, p)));
}

export const ROLES = ['outsider', 'member', 'admin', 'owner'] as const;
export type CallerRole = (typeof ROLES)[number];

/**
 * The people of a group fixture: `owner`, `admin`, `member` and `other` (a second plain member,
 * a target for removals and role changes) belong to it; `outsider` and `newcomer` (a target for
 * additions) do not.
 */
export interface Cast {
  owner: Account;
  admin: Account;
  member: Account;
  other: Account;
  outsider: Account;
  newcomer: Account;
}

/** Registers the six accounts of a Cast (once per test file: password hashing is slow by design). */
export async function registerCast(target: ApiTarget): Promise<Cast> {
  const [owner, admin, member, other, outsider, newcomer] = await users(
    target,
    'owner',
    'admin',
    'member',
    'other',
    'outsider',
    'newcomer',
  );
  return { owner: owner!, admin: admin!, member: member!, other: other!, outsider: outsider!, newcomer: newcomer! };
}

export interface GroupFixture {
  group: Group;
  channel: Channel;
}

/** A fresh group owned by `cast.owner` with `admin` as admin, `member` and `other` as members, and one TEXT channel. */
export async function createGroupFixture(cast: Cast, name = 'fixture'): Promise<GroupFixture> {
  const owner = cast.owner.client;
  const group = await owner.groups.create.mutate({ name, description: `${name} description` });
  await owner.groups.addMember.mutate({ group_id: group.id, user_id: cast.admin.id, role: 'admin' });
  await owner.groups.addMember.mutate({ group_id: group.id, user_id: cast.member.id });
  await owner.groups.addMember.mutate({ group_id: group.id, user_id: cast.other.id, role: 'member' });
  const channel = await owner.channels.create.mutate({ group_id: group.id, name: 'general', type: 'TEXT', topic: 'chat' });
  return { group, channel };
}

/** The account playing `role` in a group fixture. */
export const caller = (cast: Cast, role: CallerRole): Account => cast[role];

/** A well-formed UUID that names nothing. */
export const unknownId = () => crypto.randomUUID();

/** A group owned by `owner` with `members` added, and one channel of `type` in it. */
export async function groupWithChannel(
  owner: Account,
  members: Account[],
  type: ChannelType = 'TEXT',
): Promise<{ group: Group; channel: Channel }> {
  const group = await owner.client.groups.create.mutate({ name: `g-${crypto.randomUUID().slice(0, 8)}` });
  for (const m of members) await owner.client.groups.addMember.mutate({ group_id: group.id, user_id: m.id });
  const channel = await owner.client.channels.create.mutate({ group_id: group.id, name: `c-${type.toLowerCase()}`, type });
  return { group, channel };
}

/**
 * An access token for `user` signed with the test server's secret that expires `expiresInMs`
 * from now (negative: already expired), minted with a shifted clock.
 */
export async function mintToken(user: { id: string; username: string }, expiresInMs: number): Promise<string> {
  const lifetimeMs = LIMITS.accessTokenSeconds * 1000;
  const issuedAt = Date.now() - (lifetimeMs - expiresInMs);
  const tokens = createTokenService(new TextEncoder().encode(TEST_JWT_SECRET), () => issuedAt);
  return (await tokens.sign(user.id, user.username)).token;
}
