import { expect } from 'bun:test';
import { TRPCClientError, type TRPCClient } from '@trpc/client';
import { asc } from 'drizzle-orm';
import type { AppRouter } from '../../../client/index.ts';
import type { Channel, Group, Session } from '../../../shared/entities.ts';
import type { Database } from '../../db/client.ts';
import * as schema from '../../db/schema/index.ts';
import { register } from './clients.ts';

/**
 * Fixtures for the foundation API suites (server/test/api): a cast of accounts playing each
 * group role, a fresh group per test, tRPC error assertions and database snapshots.
 */

/** A registered user with an authenticated stock HTTP client. */
export interface Account {
  session: Session;
  client: TRPCClient<AppRouter>;
  id: string;
  username: string;
  token: string;
}

/** A failed call as a client sees it: the tRPC error code, message and, for bad input, the issues. */
export interface WireError {
  code: string;
  httpStatus: number;
  message: string;
  issues?: { path: (string | number)[]; message: string }[];
  retryAfterSeconds?: number;
}

/** Awaits a call that must fail and returns its tRPC error; fails the test if the call succeeds. */
export async function failure(call: Promise<unknown>): Promise<WireError> {
  let value: unknown;
  try {
    value = await call;
  } catch (err) {
    if (!(err instanceof TRPCClientError)) throw err;
    const data = (err.data ?? {}) as Record<string, unknown>;
    return {
      code: String(data.code),
      httpStatus: Number(data.httpStatus),
      message: err.message,
      issues: data.issues as WireError['issues'],
      retryAfterSeconds: data.retry_after_seconds as number | undefined,
    };
  }
  throw new Error(`expected the call to fail, but it returned ${JSON.stringify(value)?.slice(0, 500)}`);
}

/** Asserts that the call fails with exactly `code` and returns the error. */
export async function expectCode(call: Promise<unknown>, code: string): Promise<WireError> {
  const error = await failure(call);
  // The message rides along so that a wrong code shows why the server refused.
  expect({ code: error.code, message: error.message }).toMatchObject({ code });
  return error;
}

/** Asserts a BAD_REQUEST whose `issues` are well-formed `{ path, message }` and include one at `path`. */
export async function expectBadInput(call: Promise<unknown>, path: (string | number)[]): Promise<WireError> {
  const error = await expectCode(call, 'BAD_REQUEST');
  expect(error.httpStatus).toBe(400);
  expect(Array.isArray(error.issues)).toBe(true);
  for (const issue of error.issues!) {
    expect(Array.isArray(issue.path)).toBe(true);
    expect(typeof issue.message).toBe('string');
    expect(issue.message.length).toBeGreaterThan(0);
  }
  expect(error.issues!.map((i) => i.path)).toContainEqual(path);
  return error;
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
export async function registerCast(url: string): Promise<Cast> {
  const [owner, admin, member, other, outsider, newcomer] = await Promise.all(
    ['owner', 'admin', 'member', 'other', 'outsider', 'newcomer'].map((role) => register(url, role)),
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

/**
 * Every row of the tables the foundation writes, in a stable order: compare two snapshots to
 * prove that a refused call changed nothing.
 */
export async function snapshot(database: Database) {
  const { db } = database;
  const s = schema;
  const [users, families, tokens, groups, memberships, invites, channels, counters, events] = await Promise.all([
    db.select().from(s.users).orderBy(asc(s.users.id)),
    db.select().from(s.refreshFamilies).orderBy(asc(s.refreshFamilies.id)),
    db.select().from(s.refreshTokens).orderBy(asc(s.refreshTokens.tokenHash)),
    db.select().from(s.groups).orderBy(asc(s.groups.id)),
    db.select().from(s.memberships).orderBy(asc(s.memberships.groupId), asc(s.memberships.userId)),
    db.select().from(s.invites).orderBy(asc(s.invites.code)),
    db.select().from(s.channels).orderBy(asc(s.channels.id)),
    db.select().from(s.streamCounters).orderBy(asc(s.streamCounters.stream)),
    db.select().from(s.events).orderBy(asc(s.events.stream), asc(s.events.seq)),
  ]);
  return { users, families, tokens, groups, memberships, invites, channels, counters, events };
}

/** Runs `call`, which must be refused with `code`, and asserts the database is exactly as before. */
export async function expectRefusedUnchanged(database: Database, call: () => Promise<unknown>, code: string): Promise<WireError> {
  const before = await snapshot(database);
  const error = await expectCode(call(), code);
  expect(await snapshot(database)).toEqual(before);
  return error;
}
