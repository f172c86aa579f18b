import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import type * as wire from '../../../shared/entities.ts';
import type { RateLimit } from '../../config.ts';
import type { Database } from '../../db/client.ts';
import { isUniqueViolation } from '../../db/errors.ts';
import { directMessages, dmReactions, users } from '../../db/schema/index.ts';
import { badRequest } from '../../errors.ts';
import type { Notifier } from '../../realtime/notifier.ts';
import { dmStream, userStream } from '../../realtime/streams.ts';
import type { RateLimiter } from '../../ratelimit/index.ts';
import type { EventLog } from '../../realtime/eventlog.ts';
import type { Attachments } from '../files/attachments.ts';
import { UNREAD_CAP } from './reads.ts';
import { named, pageReader, preparePage, type PageQuery, type PreparedBounds } from './history.ts';
import { directMessageColumns, directMessageKind } from './message-kinds.ts';
import { createMessageOps } from './message-ops.ts';
import { createSendThrottle } from './messages.ts';
import { presentDm } from '../present.ts';
import { reactionLists, reactionSummaries } from './reactions.ts';
import type { Caller } from '../caller.ts';
import type { UserService } from '../accounts/users.ts';

export interface DmDeps {
  database: Database;
  eventLog: EventLog;
  notifier: Notifier;
  limiter: RateLimiter;
  rateLimit: RateLimit;
  users: UserService;
  attachments: Attachments;
}

/** A DM conversation's history page as one statement (see `preparePage`), one per combination of bounds. */
function prepareDmPage(database: Database, attachments: Attachments, bounds: PreparedBounds) {
  const { db: reader, prepare } = database.fixedPlanReader;
  const page = reader
    .select(named(directMessageColumns))
    .from(directMessages)
    .innerJoin(users, eq(users.id, directMessages.senderId))
    .where(and(eq(directMessages.pairKey, sql.placeholder('pairKey')), isNull(directMessages.deletedAt), bounds.where))
    .orderBy(bounds.order)
    .limit(sql.placeholder('take'));
  return preparePage<(typeof page)['_']['result'][number]>(prepare, {
    page,
    forward: bounds.forward,
    reactions: (ids) => reactionLists(ids, sql.placeholder('callerId'), dmReactions),
    attachments: (ids) => attachments.lists('dm', ids),
  });
}

/** Direct messages between two users, persisted in the pair's stream. */
export function createDmService({ database, eventLog, notifier, limiter, rateLimit, users: userService, attachments }: DmDeps) {
  const db = database.db;
  const throttle = createSendThrottle(limiter, rateLimit);
  const ops = createMessageOps(directMessageKind(), { db, eventLog, notifier, attachments });

  function notSelf(caller: Caller, userId: string) {
    if (userId === caller.id) throw badRequest('Direct messages need another user');
  }

  async function partner(caller: Caller, userId: string) {
    notSelf(caller, userId);
    return userService.byId(userId);
  }

  const readPage = pageReader(directMessages.seq, (bounds) => prepareDmPage(database, attachments, bounds));

  async function withReactions<R extends Parameters<typeof presentDm>[0] & { senderUsername: string }>(rows: R[], viewerId: string) {
    const summary = await reactionSummaries(
      db,
      dmReactions,
      rows.map((r) => r.id),
      viewerId,
    );
    const files = await attachments.load(
      'dm',
      rows.map((r) => r.id),
      viewerId,
    );
    return rows.map((r) => presentDm(r, r.senderUsername, summary.get(r.id), files.get(r.id)));
  }

  /** The caller's DM with this nonce in this conversation (a nonce is scoped to its conversation). */
  async function byNonce(senderId: string, pairKey: string, nonce: string): Promise<wire.DirectMessage | null> {
    const rows = await db
      .select(directMessageColumns)
      .from(directMessages)
      .innerJoin(users, eq(users.id, directMessages.senderId))
      .where(and(eq(directMessages.senderId, senderId), eq(directMessages.pairKey, pairKey), eq(directMessages.nonce, nonce)));
    return rows.length ? (await withReactions(rows, senderId))[0]! : null;
  }

  return {
    /** Persists a DM in the pair's stream and announces it on both users' own streams. */
    async send(
      caller: Caller,
      input: { userId: string; content: string; nonce?: string; attachmentIds?: string[] },
    ): Promise<wire.DirectMessage> {
      // The partner check comes first: a nonce never answers for a conversation the caller cannot have.
      await partner(caller, input.userId);
      const stream = dmStream(caller.id, input.userId);
      if (input.nonce) {
        const first = await byNonce(caller.id, stream, input.nonce);
        if (first) return first;
      }
      await throttle(caller.id);
      try {
        const { message, events } = await db.transaction(async (tx) => {
          // The caller's uploads, locked before anything is written (NOT_FOUND / CONFLICT otherwise).
          const locked = await attachments.lockForAttach(tx, caller.id, input.attachmentIds ?? []);
          const seq = await eventLog.reserve(tx, stream);
          const row = {
            id: Bun.randomUUIDv7(),
            pairKey: stream,
            seq,
            senderId: caller.id,
            recipientId: input.userId,
            content: input.content,
            nonce: input.nonce ?? null,
            createdAt: new Date(),
          };
          await tx.insert(directMessages).values(row);
          const attached = await attachments.attach(tx, 'dm', row.id, locked);
          // The event is serialized once for both users: its files carry no URL (files.get signs one).
          const present = (viewerId: string | null) =>
            presentDm({ ...row, editedAt: null }, caller.username, [], attachments.present(attached, viewerId));
          const message = present(caller.id);
          const event = { type: 'dm_message', ...present(null) };
          const pair = await eventLog.append(tx, stream, () => event, seq, row.id);
          const own = await eventLog.appendToAll(tx, [userStream(caller.id), userStream(input.userId)], event, row.id);
          return { message, events: [pair, ...own] };
        });
        notifier.durable(events);
        return message;
      } catch (err) {
        if (input.nonce && isUniqueViolation(err)) {
          const first = await byNonce(caller.id, stream, input.nonce);
          if (first) return first;
        }
        throw err;
      }
    },

    async list(caller: Caller, input: { userId: string } & Partial<PageQuery>) {
      notSelf(caller, input.userId);
      const { items, next_before_seq } = await readPage(input, { pairKey: dmStream(caller.id, input.userId), callerId: caller.id });
      // A conversation with no messages: NOT_FOUND if the other user does not exist.
      if (!items.length) await userService.byId(input.userId);
      return {
        items: items.map((r) => presentDm(r, r.senderUsername, r.reactions, attachments.fromList(r.attachments, caller.id))),
        next_before_seq,
      };
    },

    /** Everyone the caller has exchanged DMs with, latest conversation first, with what is unread. */
    async conversations(caller: Caller): Promise<wire.Conversation[]> {
      const rows = await database.rows<{ id: string; unread_count: number | string }>(sql`
        with latest as (
          select distinct on (pair_key) id, pair_key, seq, created_at
          from direct_messages
          where (sender_id = ${caller.id} or recipient_id = ${caller.id}) and deleted_at is null
          order by pair_key, seq desc
        )
        select l.id,
          (select count(*) from (select 1 from direct_messages d where d.pair_key = l.pair_key and d.deleted_at is null
             and d.sender_id <> ${caller.id} and d.seq > coalesce(r.last_read_seq, 0) limit ${UNREAD_CAP}) capped) as unread_count
        from latest l
        left join read_states r on r.user_id = ${caller.id} and r.stream = l.pair_key
        order by l.created_at desc, l.id`);
      if (!rows.length) return [];
      const messages = await db
        .select(directMessageColumns)
        .from(directMessages)
        .innerJoin(users, eq(users.id, directMessages.senderId))
        .where(
          inArray(
            directMessages.id,
            rows.map((r) => r.id),
          ),
        );
      const byId = new Map((await withReactions(messages, caller.id)).map((m) => [m.id, m]));
      const partners = await userService.byIds(messages.map((m) => (m.senderId === caller.id ? m.recipientId : m.senderId)));
      return rows.map((r) => {
        const last = byId.get(r.id)!;
        const partnerId = last.sender_id === caller.id ? last.recipient_id : last.sender_id;
        return { user: partners.get(partnerId)!, last_message: last, unread_count: Number(r.unread_count) };
      });
    },

    edit: ops.edit,
    delete: ops.delete,
    react: (caller: Caller, messageId: string, emoji: string) => ops.react(caller, messageId, emoji, true),
    unreact: (caller: Caller, messageId: string, emoji: string) => ops.react(caller, messageId, emoji, false),
  };
}

export type DmService = ReturnType<typeof createDmService>;
