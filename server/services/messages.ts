import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import type * as wire from '../../shared/entities.ts';
import { LIMITS } from '../../shared/limits.ts';
import type { RateLimit } from '../config.ts';
import type { Db } from '../db/client.ts';
import { isUniqueViolation } from '../db/errors.ts';
import { messages, reactions, users } from '../db/schema/index.ts';
import { tooManyRequests } from '../errors.ts';
import type { Notifier } from '../realtime/notifier.ts';
import { channelStream } from '../realtime/streams.ts';
import type { RateLimiter } from '../ratelimit/index.ts';
import type { Access } from './access.ts';
import type { EventLog } from './eventlog.ts';
import { pageBounds, toPage, type PageQuery } from './history.ts';
import { presentMessage } from './present.ts';
import type { Caller } from './realtime.ts';

export interface MessageDeps {
  db: Db;
  access: Access;
  eventLog: EventLog;
  notifier: Notifier;
  limiter: RateLimiter;
  rateLimit: RateLimit;
}

/** Per-user send throttle shared by channel messages and DMs (cluster-wide with Redis). */
export function createSendThrottle(limiter: RateLimiter, rateLimit: RateLimit) {
  return async (userId: string) => {
    if (!rateLimit) return;
    const decision = await limiter.hit(`send:${userId}`, rateLimit.count, rateLimit.windowSeconds);
    if (!decision.allowed)
      throw tooManyRequests(`At most ${rateLimit.count} messages per ${rateLimit.windowSeconds} s`, decision.retryAfterSeconds);
  };
}

const messageColumns = {
  id: messages.id,
  seq: messages.seq,
  channelId: messages.channelId,
  senderId: messages.senderId,
  content: messages.content,
  createdAt: messages.createdAt,
  editedAt: messages.editedAt,
  senderUsername: users.username,
};

/** Channel messages: send (persisted, then published), history. */
export function createMessageService({ db, access, eventLog, notifier, limiter, rateLimit }: MessageDeps) {
  const throttle = createSendThrottle(limiter, rateLimit);

  /** Reaction summaries (`{ emoji, count, me }`) for a page of messages. */
  async function reactionsFor(ids: string[], viewerId: string): Promise<Map<string, wire.Reaction[]>> {
    const out = new Map<string, wire.Reaction[]>();
    if (!ids.length) return out;
    const rows = await db
      .select({
        messageId: reactions.messageId,
        emoji: reactions.emoji,
        count: sql<number>`count(*)::int`,
        me: sql<boolean>`bool_or(${reactions.userId} = ${viewerId})`,
        first: sql<Date>`min(${reactions.createdAt})`,
      })
      .from(reactions)
      .where(inArray(reactions.messageId, ids))
      .groupBy(reactions.messageId, reactions.emoji)
      .orderBy(sql`min(${reactions.createdAt})`);
    for (const r of rows) {
      const list = out.get(r.messageId) ?? [];
      list.push({ emoji: r.emoji, count: Number(r.count), me: Boolean(r.me) });
      out.set(r.messageId, list);
    }
    return out;
  }

  async function byNonce(senderId: string, nonce: string): Promise<wire.Message | null> {
    const [row] = await db
      .select(messageColumns)
      .from(messages)
      .innerJoin(users, eq(users.id, messages.senderId))
      .where(and(eq(messages.senderId, senderId), eq(messages.nonce, nonce)));
    if (!row) return null;
    return presentMessage(row, row.senderUsername, (await reactionsFor([row.id], senderId)).get(row.id));
  }

  return {
    reactionsFor,

    /** Persists a message with the channel's next sequence, then publishes it; a repeated nonce returns the first. */
    async send(caller: Caller, input: { channelId: string; content: string; nonce?: string }): Promise<wire.Message> {
      if (input.nonce) {
        const first = await byNonce(caller.id, input.nonce);
        if (first) return first;
      }
      await throttle(caller.id);
      const stream = channelStream(input.channelId);
      try {
        const { message, event } = await db.transaction(async (tx) => {
          await access.channelFor(input.channelId, caller.id, tx);
          const seq = await eventLog.reserve(tx, stream);
          const row = {
            id: crypto.randomUUID(),
            channelId: input.channelId,
            seq,
            senderId: caller.id,
            content: input.content,
            nonce: input.nonce ?? null,
            createdAt: new Date(),
          };
          await tx.insert(messages).values(row);
          const message = presentMessage({ ...row, editedAt: null }, caller.username);
          const event = await eventLog.append(tx, stream, () => ({ type: 'message', ...message }), seq);
          return { message, event };
        });
        notifier.durable([event]);
        return message;
      } catch (err) {
        // Two sends with one nonce raced: the loser returns the winner's message.
        if (input.nonce && isUniqueViolation(err)) {
          const first = await byNonce(caller.id, input.nonce);
          if (first) return first;
        }
        throw err;
      }
    },

    async list(caller: Caller, input: { channelId: string } & Partial<PageQuery>) {
      await access.channelFor(input.channelId, caller.id);
      const q = { beforeSeq: input.beforeSeq, afterSeq: input.afterSeq, limit: input.limit ?? LIMITS.historyPageDefault };
      const page = pageBounds(messages.seq, q);
      const rows = await db
        .select(messageColumns)
        .from(messages)
        .innerJoin(users, eq(users.id, messages.senderId))
        .where(and(eq(messages.channelId, input.channelId), isNull(messages.deletedAt), page.where))
        .orderBy(page.order)
        .limit(page.take);
      const { items, next_before_seq } = toPage(rows, q, page.forward);
      const summary = await reactionsFor(
        items.map((r) => r.id),
        caller.id,
      );
      return { items: items.map((r) => presentMessage(r, r.senderUsername, summary.get(r.id))), next_before_seq };
    },
  };
}

export type MessageService = ReturnType<typeof createMessageService>;
