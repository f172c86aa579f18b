import { sql } from 'drizzle-orm';
import type * as wire from '../../shared/entities.ts';
import type { Database, Tx } from '../db/client.ts';
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
 * Transactions writing batches at once. Batches for one channel still commit in turn (its
 * counter row is locked until commit), but the round trips of one overlap another's.
 */
const MAX_WRITERS = 2;

/**
 * Group commit for channel messages: sends that arrive while a transaction is in flight are
 * written together by the next one (membership check, sequence reservation per channel, and
 * the message and event rows as multi-row statements), so throughput grows with load while a
 * lone send still goes straight through. Each send is acknowledged only after its commit.
 * If a batch fails, its sends are retried one by one so only the faulty one fails.
 */
export function createSendBatcher(deps: { database: Database; eventLog: EventLog; notifier: Notifier }) {
  const { database, eventLog, notifier } = deps;
  const db = database.db;
  let queue: Pending[] = [];
  /** Batch writers at work; each takes whatever queued up while the others were committing. */
  let writers = 0;
  let scheduled = false;

  // The hot path speaks SQL directly: constant statements (prepared once) whose rows travel as
  // one JSON parameter, instead of a query builder assembling thousands of placeholders per batch.
  async function write(tx: Tx, batch: Pending[]): Promise<{ sent: Map<Pending, wire.Message>; events: StreamEvent[] }> {
    const sent = new Map<Pending, wire.Message>();
    const asked = JSON.stringify(batch.map((p) => ({ c: p.channelId, u: p.caller.id })));
    const allowed = await database.rows<{ channel_id: string; user_id: string; group_id: string }>(
      sql`select distinct c.id as channel_id, m.user_id, c.group_id
          from json_to_recordset(${asked}::json) as t(c uuid, u uuid)
          join channels c on c.id = t.c
          join memberships m on m.group_id = c.group_id and m.user_id = t.u`,
      tx,
    );
    const groupOf = new Map(allowed.map((a) => [`${a.channel_id}|${a.user_id}`, a.group_id]));
    const writable = batch.filter((p) => {
      if (groupOf.has(`${p.channelId}|${p.caller.id}`)) return true;
      p.reject(notFound('Channel'));
      return false;
    });
    if (!writable.length) return { sent, events: [] };

    // One reservation per channel, in key order so concurrent batches lock counters alike.
    const perStream = new Map<string, number>();
    for (const p of writable) perStream.set(channelStream(p.channelId), (perStream.get(channelStream(p.channelId)) ?? 0) + 1);
    const counts = JSON.stringify([...perStream].map(([stream, n]) => ({ stream, n })));
    const reserved = await database.rows<{ stream: string; last_seq: number | string }>(
      sql`insert into stream_counters (stream, last_seq)
          select stream, n from json_to_recordset(${counts}::json) as t(stream text, n bigint) order by stream
          on conflict (stream) do update set last_seq = stream_counters.last_seq + excluded.last_seq
          returning stream, last_seq`,
      tx,
    );
    const next = new Map(reserved.map((r) => [r.stream, Number(r.last_seq) - perStream.get(r.stream)! + 1]));

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
      return { p, message, event: { stream, seq, json: JSON.stringify({ type: 'message', ...message }) } };
    });
    const messageRows = JSON.stringify(
      rows.map(({ message: m, p }) => ({
        id: m.id,
        channel_id: m.channel_id,
        seq: m.seq,
        sender_id: m.sender_id,
        content: m.content,
        nonce: p.nonce ?? null,
        created_at: m.created_at,
      })),
    );
    const eventRows = JSON.stringify(rows.map(({ event: e }) => ({ stream: e.stream, seq: e.seq, payload: e.json })));
    // Issued together: postgres.js pipelines them on the transaction's connection.
    const insertMessages = database.rows(
      sql`insert into messages (id, channel_id, seq, sender_id, content, nonce, created_at)
          select id, channel_id, seq, sender_id, content, nonce, created_at
          from json_to_recordset(${messageRows}::json)
            as t(id uuid, channel_id uuid, seq bigint, sender_id uuid, content text, nonce text, created_at timestamptz)`,
      tx,
    );
    const insertEvents = database.rows(
      sql`insert into events (stream, seq, payload, created_at)
          select stream, seq, payload, ${createdAt.toISOString()}::timestamptz
          from json_to_recordset(${eventRows}::json) as t(stream text, seq bigint, payload text)`,
      tx,
    );
    await Promise.all([insertMessages, insertEvents]);
    const out: StreamEvent[] = rows.map((r) => r.event);
    for (const r of rows) {
      if (r.message.content.includes('@'))
        out.push(...(await recordMentions(tx, eventLog, r.message, groupOf.get(`${r.p.channelId}|${r.p.caller.id}`)!)));
    }
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

  async function writer() {
    writers++;
    while (queue.length) {
      const batch = queue.slice(0, MAX_BATCH);
      queue = queue.slice(batch.length);
      await flush(batch);
    }
    writers--;
  }

  /** Starts a writer on the next turn (so sends parsed in this one share its commit), if one is free. */
  function schedule() {
    if (scheduled || writers >= MAX_WRITERS) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      if (queue.length) void writer();
    });
  }

  return {
    /** Persists a message (in the next group commit) and resolves once it is committed and published. */
    send(request: SendRequest): Promise<wire.Message> {
      return new Promise((resolve, reject) => {
        queue.push({ ...request, resolve, reject });
        schedule();
      });
    },
  };
}

export type SendBatcher = ReturnType<typeof createSendBatcher>;
