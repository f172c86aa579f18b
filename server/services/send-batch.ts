import { and, eq, inArray, sql } from 'drizzle-orm';
import type * as wire from '../../shared/entities.ts';
import type { Db, Tx } from '../db/client.ts';
import { channels, events, memberships, messages, streamCounters } from '../db/schema/index.ts';
import { notFound } from '../errors.ts';
import type { Notifier } from '../realtime/notifier.ts';
import { channelStream, type StreamEvent } from '../realtime/streams.ts';
import { recordMentions } from './mentions.ts';
import type { EventLog } from './eventlog.ts';
import { presentMessage } from './present.ts';
import type { Caller } from './realtime.ts';

export interface SendRequest {
  caller: Caller;
  channelId: string;
  content: string;
  nonce?: string;
}

interface Pending extends SendRequest {
  resolve(message: wire.Message): void;
  reject(error: unknown): void;
}

/** Most sends written by one transaction. */
const MAX_BATCH = 500;

/**
 * Group commit for channel messages: sends that arrive while a transaction is in flight are
 * written together by the next one (membership check, sequence reservation per channel, and
 * the message and event rows as multi-row statements), so throughput grows with load while a
 * lone send still goes straight through. Each send is acknowledged only after its commit.
 * If a batch fails, its sends are retried one by one so only the faulty one fails.
 */
export function createSendBatcher(deps: { db: Db; eventLog: EventLog; notifier: Notifier }) {
  const { db, eventLog, notifier } = deps;
  let queue: Pending[] = [];
  let running = false;

  async function write(tx: Tx, batch: Pending[]): Promise<{ sent: Map<Pending, wire.Message>; events: StreamEvent[] }> {
    const sent = new Map<Pending, wire.Message>();
    const channelIds = [...new Set(batch.map((p) => p.channelId))];
    const senderIds = [...new Set(batch.map((p) => p.caller.id))];
    const allowed = await tx
      .select({ channelId: channels.id, groupId: channels.groupId, userId: memberships.userId })
      .from(channels)
      .innerJoin(memberships, eq(memberships.groupId, channels.groupId))
      .where(and(inArray(channels.id, channelIds), inArray(memberships.userId, senderIds)));
    const groupOf = new Map(allowed.map((a) => [`${a.channelId}|${a.userId}`, a.groupId]));
    const writable = batch.filter((p) => {
      if (groupOf.has(`${p.channelId}|${p.caller.id}`)) return true;
      p.reject(notFound('Channel'));
      return false;
    });
    if (!writable.length) return { sent, events: [] };

    // One reservation per channel, in key order so concurrent batches lock counters alike.
    const perStream = new Map<string, number>();
    for (const p of writable) perStream.set(channelStream(p.channelId), (perStream.get(channelStream(p.channelId)) ?? 0) + 1);
    const reserved = await tx
      .insert(streamCounters)
      .values([...perStream].sort(([a], [b]) => (a < b ? -1 : 1)).map(([stream, count]) => ({ stream, lastSeq: count })))
      .onConflictDoUpdate({ target: streamCounters.stream, set: { lastSeq: sql`${streamCounters.lastSeq} + excluded.last_seq` } })
      .returning({ stream: streamCounters.stream, lastSeq: streamCounters.lastSeq });
    const next = new Map(reserved.map((r) => [r.stream, r.lastSeq - perStream.get(r.stream)! + 1]));

    const createdAt = new Date();
    const rows = writable.map((p) => {
      const stream = channelStream(p.channelId);
      const seq = next.get(stream)!;
      next.set(stream, seq + 1);
      const row = {
        id: crypto.randomUUID(),
        channelId: p.channelId,
        seq,
        senderId: p.caller.id,
        content: p.content,
        nonce: p.nonce ?? null,
        createdAt,
      };
      const message = presentMessage({ ...row, editedAt: null }, p.caller.username);
      sent.set(p, message);
      return { p, row, message, event: { stream, seq, json: JSON.stringify({ type: 'message', ...message }) } };
    });
    await tx.insert(messages).values(rows.map((r) => r.row));
    await tx.insert(events).values(rows.map((r) => ({ stream: r.event.stream, seq: r.event.seq, payload: r.event.json })));
    const out: StreamEvent[] = rows.map((r) => r.event);
    for (const r of rows) out.push(...(await recordMentions(tx, eventLog, r.message, groupOf.get(`${r.p.channelId}|${r.p.caller.id}`)!)));
    return { sent, events: out };
  }

  async function flush(batch: Pending[]) {
    try {
      const { sent, events: written } = await db.transaction((tx) => write(tx, batch));
      for (const [p, message] of sent) p.resolve(message);
      notifier.durable(written);
    } catch (err) {
      if (batch.length === 1) return batch[0]!.reject(err);
      for (const p of batch) await flush([p]);
    }
  }

  async function run() {
    running = true;
    while (queue.length) {
      const batch = queue.slice(0, MAX_BATCH);
      queue = queue.slice(batch.length);
      await flush(batch);
    }
    running = false;
  }

  return {
    /** Persists a message (in the next group commit) and resolves once it is committed and published. */
    send(request: SendRequest): Promise<wire.Message> {
      return new Promise((resolve, reject) => {
        queue.push({ ...request, resolve, reject });
        // Start on the next turn of the event loop, so sends parsed in this one share the commit.
        if (!running && queue.length === 1) setImmediate(() => void (running || run()));
      });
    },
  };
}

export type SendBatcher = ReturnType<typeof createSendBatcher>;
