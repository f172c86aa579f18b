import { and, eq, isNull } from 'drizzle-orm';
import type * as wire from '../../shared/entities.ts';
import { LIMITS } from '../../shared/limits.ts';
import type { RateLimit } from '../config.ts';
import type { Db } from '../db/client.ts';
import { isUniqueViolation } from '../db/errors.ts';
import { directMessages, users } from '../db/schema/index.ts';
import { badRequest } from '../errors.ts';
import type { Notifier } from '../realtime/notifier.ts';
import { dmStream, userStream } from '../realtime/streams.ts';
import type { RateLimiter } from '../ratelimit/index.ts';
import type { EventLog } from './eventlog.ts';
import { pageBounds, toPage, type PageQuery } from './history.ts';
import { createSendThrottle } from './messages.ts';
import { presentDm } from './present.ts';
import type { Caller } from './realtime.ts';
import type { UserService } from './users.ts';

export interface DmDeps {
  db: Db;
  eventLog: EventLog;
  notifier: Notifier;
  limiter: RateLimiter;
  rateLimit: RateLimit;
  users: UserService;
}

const dmColumns = {
  id: directMessages.id,
  seq: directMessages.seq,
  senderId: directMessages.senderId,
  recipientId: directMessages.recipientId,
  content: directMessages.content,
  createdAt: directMessages.createdAt,
  editedAt: directMessages.editedAt,
  senderUsername: users.username,
};

/** Direct messages between two users, persisted in the pair's stream. */
export function createDmService({ db, eventLog, notifier, limiter, rateLimit, users: userService }: DmDeps) {
  const throttle = createSendThrottle(limiter, rateLimit);

  async function partner(caller: Caller, userId: string) {
    if (userId === caller.id) throw badRequest('Direct messages need another user');
    return userService.byId(userId);
  }

  async function byNonce(senderId: string, nonce: string): Promise<wire.DirectMessage | null> {
    const [row] = await db
      .select(dmColumns)
      .from(directMessages)
      .innerJoin(users, eq(users.id, directMessages.senderId))
      .where(and(eq(directMessages.senderId, senderId), eq(directMessages.nonce, nonce)));
    return row ? presentDm(row, row.senderUsername) : null;
  }

  return {
    /** Persists a DM in the pair's stream and announces it on both users' own streams. */
    async send(caller: Caller, input: { userId: string; content: string; nonce?: string }): Promise<wire.DirectMessage> {
      if (input.nonce) {
        const first = await byNonce(caller.id, input.nonce);
        if (first) return first;
      }
      await partner(caller, input.userId);
      await throttle(caller.id);
      const stream = dmStream(caller.id, input.userId);
      try {
        const { message, events } = await db.transaction(async (tx) => {
          const seq = await eventLog.reserve(tx, stream);
          const row = {
            id: crypto.randomUUID(),
            pairKey: stream,
            seq,
            senderId: caller.id,
            recipientId: input.userId,
            content: input.content,
            nonce: input.nonce ?? null,
            createdAt: new Date(),
          };
          await tx.insert(directMessages).values(row);
          const message = presentDm({ ...row, editedAt: null }, caller.username);
          const event = { type: 'dm_message', ...message };
          const pair = await eventLog.append(tx, stream, () => event, seq);
          const own = await eventLog.appendToAll(tx, [userStream(caller.id), userStream(input.userId)], event);
          return { message, events: [pair, ...own] };
        });
        notifier.durable(events);
        return message;
      } catch (err) {
        if (input.nonce && isUniqueViolation(err)) {
          const first = await byNonce(caller.id, input.nonce);
          if (first) return first;
        }
        throw err;
      }
    },

    async list(caller: Caller, input: { userId: string } & Partial<PageQuery>) {
      await partner(caller, input.userId);
      const q = { beforeSeq: input.beforeSeq, afterSeq: input.afterSeq, limit: input.limit ?? LIMITS.historyPageDefault };
      const page = pageBounds(directMessages.seq, q);
      const rows = await db
        .select(dmColumns)
        .from(directMessages)
        .innerJoin(users, eq(users.id, directMessages.senderId))
        .where(and(eq(directMessages.pairKey, dmStream(caller.id, input.userId)), isNull(directMessages.deletedAt), page.where))
        .orderBy(page.order)
        .limit(page.take);
      const { items, next_before_seq } = toPage(rows, q, page.forward);
      return { items: items.map((r) => presentDm(r, r.senderUsername)), next_before_seq };
    },
  };
}

export type DmService = ReturnType<typeof createDmService>;
