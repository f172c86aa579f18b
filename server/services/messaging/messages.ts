import { and, eq, isNull, sql } from 'drizzle-orm';
import type * as wire from '../../../shared/entities.ts';
import type { RateLimit } from '../../config.ts';
import type { Database, Db } from '../../db/client.ts';
import { isUniqueViolation } from '../../db/errors.ts';
import { messages, reactions, users } from '../../db/schema/index.ts';
import { tooManyRequests } from '../../errors.ts';
import type { Notifier } from '../../realtime/notifier.ts';
import type { RateLimiter } from '../../ratelimit/index.ts';
import type { Access } from '../groups/access.ts';
import type { EventLog } from '../../realtime/eventlog.ts';
import type { Attachments } from '../files/attachments.ts';
import { named, pageReader, preparePage, type PageQuery, type PreparedBounds } from './history.ts';
import { channelMessageColumns, channelMessages } from './message-kinds.ts';
import { createMessageOps } from './message-ops.ts';
import { presentMessage } from '../present.ts';
import { reactionLists, reactionSummaries } from './reactions.ts';
import type { Caller } from '../caller.ts';
import { createAttachedSend } from './send-attached.ts';
import { createSendBatcher, type SendBatchStats } from './send-batch.ts';

export interface MessageDeps {
  db: Db;
  database: Database;
  access: Access;
  eventLog: EventLog;
  notifier: Notifier;
  limiter: RateLimiter;
  rateLimit: RateLimit;
  attachments: Attachments;
  /** Reports each group commit of plain sends (metrics). */
  onSendBatch?: (stats: SendBatchStats) => void;
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

/**
 * A channel's history page as one statement (see `preparePage`). The access check is a condition
 * of the page. Its plan never depends on the values, so it runs where plans are kept (planning it
 * took as long as running it); one statement per combination of bounds.
 */
function prepareChannelPage(deps: Pick<MessageDeps, 'database' | 'access' | 'attachments'>, bounds: PreparedBounds) {
  const { db: reader, prepare } = deps.database.fixedPlanReader;
  const [channelId, callerId] = [sql.placeholder('channelId'), sql.placeholder('callerId')];
  const page = reader
    .select(named(channelMessageColumns))
    .from(messages)
    .innerJoin(users, eq(users.id, messages.senderId))
    .where(
      and(eq(messages.channelId, channelId), isNull(messages.deletedAt), bounds.where, deps.access.canReadChannel(channelId, callerId)),
    )
    .orderBy(bounds.order)
    .limit(sql.placeholder('take'));
  return preparePage<(typeof page)['_']['result'][number]>(prepare, {
    page,
    forward: bounds.forward,
    reactions: (ids) => reactionLists(ids, callerId),
    attachments: (ids) => deps.attachments.lists('message', ids),
  });
}

/** Channel messages: send (persisted, then published), history, edit, delete, reactions. */
export function createMessageService(deps: MessageDeps) {
  const { db, access, eventLog, notifier, limiter, rateLimit, attachments } = deps;
  const throttle = createSendThrottle(limiter, rateLimit);
  const ops = createMessageOps(channelMessages(access), deps);
  const batcher = createSendBatcher({ database: deps.database, eventLog, notifier, onBatch: deps.onSendBatch });
  const sendAttached = createAttachedSend({ db, access, eventLog, notifier, attachments });
  const readPage = pageReader(messages.seq, (bounds) => prepareChannelPage(deps, bounds));

  /** The caller's message with this nonce in this channel (a nonce is scoped to its channel). */
  async function byNonce(senderId: string, channelId: string, nonce: string): Promise<wire.Message | null> {
    const [row] = await db
      .select(channelMessageColumns)
      .from(messages)
      .innerJoin(users, eq(users.id, messages.senderId))
      .where(and(eq(messages.senderId, senderId), eq(messages.channelId, channelId), eq(messages.nonce, nonce)));
    if (!row) return null;
    const files = await attachments.load('message', [row.id], senderId);
    return presentMessage(
      row,
      row.senderUsername,
      (await reactionSummaries(db, reactions, [row.id], senderId)).get(row.id),
      files.get(row.id),
    );
  }

  return {
    /** Persists a message with the channel's next sequence, then publishes it; a repeated nonce returns the first. */
    async send(
      caller: Caller,
      input: { channelId: string; content: string; nonce?: string; attachmentIds?: string[] },
    ): Promise<wire.Message> {
      if (input.nonce) {
        // Access first: a removed member re-sending an old nonce must not get the message back.
        await access.channelFor(input.channelId, caller.id);
        const first = await byNonce(caller.id, input.channelId, input.nonce);
        if (first) return first;
      }
      await throttle(caller.id);
      try {
        const { attachmentIds, ...text } = input;
        // Plain text takes the group commit (the hot path); files take their own transaction.
        return await (attachmentIds?.length ? sendAttached({ caller, ...text, attachmentIds }) : batcher.send({ caller, ...text }));
      } catch (err) {
        // Two sends with one nonce raced: the loser returns the winner's message.
        if (input.nonce && isUniqueViolation(err)) {
          const first = await byNonce(caller.id, input.channelId, input.nonce);
          if (first) return first;
        }
        throw err;
      }
    },

    async list(caller: Caller, input: { channelId: string } & Partial<PageQuery>) {
      const { items, next_before_seq } = await readPage(input, { channelId: input.channelId, callerId: caller.id });
      // No rows is also what a caller who cannot see the channel gets: only then ask which.
      if (!items.length) await access.channelFor(input.channelId, caller.id);
      return {
        items: items.map((r) => presentMessage(r, r.senderUsername, r.reactions, attachments.fromList(r.attachments, caller.id))),
        next_before_seq,
      };
    },

    edit: ops.edit,
    delete: ops.delete,
    react: (caller: Caller, messageId: string, emoji: string) => ops.react(caller, messageId, emoji, true),
    unreact: (caller: Caller, messageId: string, emoji: string) => ops.react(caller, messageId, emoji, false),
  };
}

export type MessageService = ReturnType<typeof createMessageService>;
