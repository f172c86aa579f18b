import { and, asc, eq, gt, isNull, lt, or, sql } from 'drizzle-orm';
import type * as wire from '../../../shared/entities.ts';
import type { Db, Tx } from '../../db/client.ts';
import { groups, invites, memberships, users } from '../../db/schema/index.ts';
import { conflict, forbidden, notFound } from '../../errors.ts';
import type { Notifier } from '../../realtime/notifier.ts';
import { GLOBAL_SCOPE, type Presence } from '../../realtime/presence.ts';
import { channelStreamSql, userStream } from '../../realtime/streams.ts';
import { MANAGERS, OWNER, type Access } from './access.ts';
import type { EventLog } from '../../realtime/eventlog.ts';
import { presentGroup, presentUser } from '../present.ts';
import { userColumns } from '../accounts/users.ts';

/** Thrown inside a join transaction to roll back the invite use when the user is already in. */
class AlreadyMember extends Error {}

/** Invites last a week unless asked otherwise, as on Discord. */
const DEFAULT_INVITE_SECONDS = 7 * 24 * 60 * 60;

export interface MemberDeps {
  db: Db;
  access: Access;
  eventLog: EventLog;
  notifier: Notifier;
  presence: Presence;
}

const inviteCode = () => {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
};

/** Membership: listing, adding, removing, roles, invites. */
export function createMemberService({ db, access, eventLog, notifier, presence }: MemberDeps) {
  async function member(groupId: string, userId: string): Promise<wire.Member> {
    const [row] = await db
      .select({ user: userColumns, role: memberships.role, joinedAt: memberships.joinedAt })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(and(eq(memberships.groupId, groupId), eq(memberships.userId, userId)));
    if (!row) throw notFound('Member');
    const online = await presence.present(GLOBAL_SCOPE, [userId]);
    return { user: presentUser(row.user), role: row.role, joined_at: row.joinedAt.toISOString(), online: online.has(userId) };
  }

  /** Adds `userId` to the group and announces it on their own stream; null when already a member. */
  async function admit(tx: Tx, groupId: string, userId: string, role: wire.Role) {
    const inserted = await tx.insert(memberships).values({ groupId, userId, role }).onConflictDoNothing().returning();
    if (!inserted.length) return null;
    // A newcomer starts with the group's history read, so unread counts mean "since I joined".
    await tx.execute(sql`
      insert into read_states (user_id, stream, last_read_seq)
      select ${userId}, ${channelStreamSql('c.id')}, coalesce(sc.last_seq, 0)
      from channels c left join stream_counters sc on sc.stream = ${channelStreamSql('c.id')}
      where c.group_id = ${groupId}
      on conflict do nothing`);
    const [row] = await tx.select().from(groups).where(eq(groups.id, groupId));
    const group = presentGroup(row!, role);
    return { group, event: await eventLog.append(tx, userStream(userId), () => ({ type: 'group_joined', group })) };
  }

  return {
    async list(callerId: string, groupId: string): Promise<wire.Member[]> {
      await access.requireMember(groupId, callerId);
      const rows = await db
        .select({ user: userColumns, role: memberships.role, joinedAt: memberships.joinedAt })
        .from(memberships)
        .innerJoin(users, eq(users.id, memberships.userId))
        .where(eq(memberships.groupId, groupId))
        .orderBy(asc(memberships.joinedAt), asc(users.username));
      const online = await presence.present(
        GLOBAL_SCOPE,
        rows.map((r) => r.user.id),
      );
      return rows.map((r) => ({
        user: presentUser(r.user),
        role: r.role,
        joined_at: r.joinedAt.toISOString(),
        online: online.has(r.user.id),
      }));
    },

    async add(callerId: string, input: { groupId: string; userId: string; role?: 'admin' | 'member' }): Promise<wire.Member> {
      const callerRole = await access.requireRole(input.groupId, callerId, MANAGERS, 'add members');
      const role = input.role ?? 'member';
      if (role === 'admin' && callerRole !== 'owner') throw forbidden('Only the owner may add admins');
      const [target] = await db.select({ id: users.id }).from(users).where(eq(users.id, input.userId));
      if (!target) throw notFound('User');
      const admitted = await db.transaction((tx) => admit(tx, input.groupId, input.userId, role));
      if (!admitted) throw conflict('Already a member');
      notifier.durable([admitted.event]);
      return member(input.groupId, input.userId);
    },

    async remove(callerId: string, input: { groupId: string; userId: string }): Promise<void> {
      const callerRole = await access.requireMember(input.groupId, callerId);
      const self = callerId === input.userId;
      if (self && callerRole === 'owner') throw forbidden('The owner cannot leave; delete the group instead');
      if (!self && !MANAGERS.includes(callerRole)) throw forbidden('Only owner or admin may remove members');
      const event = await db.transaction(async (tx) => {
        const targetRole = self ? callerRole : await access.roleIn(input.groupId, input.userId, tx);
        if (!targetRole) throw notFound('Member');
        if (targetRole === 'owner') throw forbidden('The owner cannot be removed');
        if (targetRole === 'admin' && callerRole !== 'owner' && !self) throw forbidden('Only the owner may remove admins');
        await tx.delete(memberships).where(and(eq(memberships.groupId, input.groupId), eq(memberships.userId, input.userId)));
        return eventLog.append(tx, userStream(input.userId), () => ({ type: 'group_left', group_id: input.groupId }));
      });
      notifier.control({ kind: 'membership_revoked', groupId: input.groupId, userId: input.userId });
      notifier.durable([event]);
    },

    async setRole(callerId: string, input: { groupId: string; userId: string; role: 'admin' | 'member' }): Promise<wire.Member> {
      await access.requireRole(input.groupId, callerId, OWNER, 'change roles');
      const event = await db.transaction(async (tx) => {
        const current = await access.roleIn(input.groupId, input.userId, tx);
        if (!current) throw notFound('Member');
        if (current === 'owner') throw forbidden("The owner's role cannot be changed");
        await tx
          .update(memberships)
          .set({ role: input.role })
          .where(and(eq(memberships.groupId, input.groupId), eq(memberships.userId, input.userId)));
        return eventLog.append(tx, userStream(input.userId), () => ({ type: 'role_changed', group_id: input.groupId, role: input.role }));
      });
      notifier.durable([event]);
      return member(input.groupId, input.userId);
    },

    async createInvite(callerId: string, input: { groupId: string; maxUses?: number; expiresInSeconds?: number }) {
      await access.requireRole(input.groupId, callerId, MANAGERS, 'create invites');
      const expiresAt = new Date(Date.now() + (input.expiresInSeconds ?? DEFAULT_INVITE_SECONDS) * 1000);
      const [row] = await db
        .insert(invites)
        .values({ code: inviteCode(), groupId: input.groupId, createdBy: callerId, maxUses: input.maxUses ?? null, expiresAt })
        .returning();
      return { code: row!.code, expires_at: row!.expiresAt!.toISOString() };
    },

    /** Redeems an invite; joining a group one already belongs to returns it without using the invite. */
    async join(userId: string, code: string): Promise<wire.Group> {
      const [invite] = await db.select({ groupId: invites.groupId }).from(invites).where(eq(invites.code, code));
      if (!invite) throw notFound('Invite');
      const asMember = async () => {
        const role = await access.roleIn(invite.groupId, userId);
        const [group] = await db.select().from(groups).where(eq(groups.id, invite.groupId));
        return role && group ? presentGroup(group, role) : null;
      };
      const existing = await asMember();
      if (existing) return existing;
      const admitted = await db
        .transaction(async (tx) => {
          const used = await tx
            .update(invites)
            .set({ uses: sql`${invites.uses} + 1` })
            .where(
              and(
                eq(invites.code, code),
                or(isNull(invites.maxUses), lt(invites.uses, invites.maxUses)),
                or(isNull(invites.expiresAt), gt(invites.expiresAt, new Date())),
              ),
            )
            .returning({ groupId: invites.groupId });
          if (!used.length) throw notFound('Invite');
          // Null when a concurrent join by the same user won the race: this use of the invite rolls back.
          const result = await admit(tx, invite.groupId, userId, 'member');
          if (!result) throw new AlreadyMember();
          return result;
        })
        .catch((err) => {
          if (err instanceof AlreadyMember) return null;
          throw err;
        });
      if (!admitted) return (await asMember()) ?? Promise.reject(notFound('Invite'));
      notifier.durable([admitted.event]);
      return admitted.group;
    },
  };
}

export type MemberService = ReturnType<typeof createMemberService>;
