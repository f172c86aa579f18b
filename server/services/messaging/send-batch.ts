import { sql } from 'drizzle-orm';
import type * as wire from '../../../shared/entities.ts';
import { BATCH_WRITERS, type Database, type Tx } from '../../db/client.ts';
import { notFound } from '../../errors.ts';
import type { Notifier } from '../../realtime/notifier.ts';
import { channelStream, channelStreamSql, type StreamEvent } from '../../realtime/streams.ts';
import type { EventLog } from '../../realtime/eventlog.ts';
import { recordMentions } from './mentions.ts';
import { messageEventSql } from './message-json.ts';
import { presentMessage } from '../present.ts';
import type { Caller } from '../caller.ts';

export interface SendRequest {
  caller: Caller;
  channelId: string;
  content: string;
  nonce?: string;
}

interface Pending extends SendRequest {
  resolve(message: wire.Message): void;
  reject(error: unknown): void;
  /** When it was queued (performance.now()), for the batching delay. */
  queuedAt: number;
}

/** What one group commit took, for the server's metrics: where a send's latency goes. */
export interface SendBatchStats {
  messages: number;
  /** From the oldest send's arrival to the start of its batch's write: the batching delay. */
  waitSeconds: number;
  /** The batch statement: round trip and commit. */
  writeSeconds: number;
  /** Handing the batch's events to the bus and the local sockets (Bun queues socket writes; the event loop drains them after this turn). */
  publishSeconds: number;
}

/** Most sends written by one statement. */
const MAX_BATCH = 500;
/**
 * Batches written at once (one connection each), for different channels: a channel's sends wait
 * while a batch for it is being written (they would wait on its counter row anyway) and go
 * together, in arrival order, in the next one.
 */
const MAX_WRITERS = BATCH_WRITERS;

/** A written send: its place in the batch, its channel's sequence, its group, its event's JSON. */
interface Written {
  i: number;
  seq: number | string;
  group_id: string;
  payload: string;
}

/**
 * The whole write of a batch as one statement, so it costs one round trip and commits on its
 * own: keep the sends whose sender is a member of the channel's group, reserve each channel's
 * sequences (counter rows locked in key order, so concurrent batches cannot deadlock), number the
 * sends in batch order, insert the messages. The message row is the event's only copy (replays
 * read it back through `channelMessageEvents`); its JSON is built here, with the same fields and
 * order as presentMessage, so it is serialized once for every subscriber.
 */
function insertBatch(rows: string) {
  return sql`
    with input as (
      select * from json_to_recordset(${rows}::json)
        as t(i int, id uuid, channel_id uuid, sender_id uuid, username text, content text, nonce text, created_at text)
    ),
    allowed as (
      select input.*, c.group_id from input
      join channels c on c.id = input.channel_id
      join memberships m on m.group_id = c.group_id and m.user_id = input.sender_id
    ),
    counts as (select channel_id, count(*) as n from allowed group by channel_id),
    reserved as (
      insert into stream_counters (stream, last_seq)
      select ${channelStreamSql('channel_id')}, n from counts order by 1
      on conflict (stream) do update set last_seq = stream_counters.last_seq + excluded.last_seq
      returning stream, last_seq
    ),
    numbered as (
      select a.*, r.last_seq - k.n + row_number() over (partition by a.channel_id order by a.i) as seq
      from allowed a
      join counts k on k.channel_id = a.channel_id
      join reserved r on r.stream = ${channelStreamSql('a.channel_id')}
    ),
    built as (
      select n.*, ${messageEventSql({
        id: 'n.id',
        seq: 'n.seq',
        channelId: 'n.channel_id',
        senderId: 'n.sender_id',
        username: 'n.username',
        content: 'n.content',
        createdAt: 'n.created_at',
        editedAt: 'null::text',
        attachments: `'[]'`,
      })} as payload
      from numbered n
    ),
    stored as (
      insert into messages (id, channel_id, seq, sender_id, content, nonce, created_at)
      select id, channel_id, seq, sender_id, content, nonce, created_at::timestamptz from built
    )
    select i, seq, group_id, payload from built order by i`;
}

/**
 * Group commit for channel messages: sends that arrive while a batch is being written are
 * written together by the next one, so throughput grows with load while a lone send still goes
 * straight through. Each send is acknowledged only after its commit. A batch naming someone
 * (`@username`) is written in a transaction with its mentions. If a batch fails, its sends are
 * retried one by one so only the faulty one fails.
 */
export function createSendBatcher(deps: {
  database: Database;
  eventLog: EventLog;
  notifier: Notifier;
  onBatch?: (stats: SendBatchStats) => void;
}) {
  const { eventLog, notifier, onBatch } = deps;
  // The batch statement has one shape: it runs where its plan is kept (see Database.batchWriter).
  const database = deps.database.batchWriter;
  let queue: Pending[] = [];
  /** Batch writers at work; each writes one batch of what queued up while the others were committing. */
  let writers = 0;
  let scheduled = false;
  /** Channels with a batch being written. */
  const writing = new Set<string>();

  async function write(batch: Pending[]): Promise<{ sent: Map<Pending, wire.Message>; events: StreamEvent[] }> {
    const createdAt = new Date();
    // Time-ordered ids (UUIDv7): new rows land at the end of the primary key's index, not at random pages.
    const messages = batch.map((p) =>
      presentMessage(
        { id: Bun.randomUUIDv7(), channelId: p.channelId, seq: 0, senderId: p.caller.id, content: p.content, createdAt, editedAt: null },
        p.caller.username,
      ),
    );
    const rows = JSON.stringify(batch.map((p, i) => ({ i, ...messages[i]!, username: p.caller.username, nonce: p.nonce ?? null })));
    const run = async (tx?: Tx) => {
      const written = await database.rows<Written>(insertBatch(rows), tx);
      const events: StreamEvent[] = [];
      for (const w of written) {
        const message = messages[w.i]!;
        message.seq = Number(w.seq);
        events.push({ stream: channelStream(message.channel_id), seq: message.seq, json: w.payload });
        if (tx && message.content.includes('@')) events.push(...(await recordMentions(tx, eventLog, message, w.group_id)));
      }
      return { written, events };
    };
    const { written, events } = batch.some((p) => p.content.includes('@')) ? await database.db.transaction(run) : await run();
    const sent = new Map<Pending, wire.Message>();
    const done = new Set(written.map((w) => w.i));
    batch.forEach((p, i) => (done.has(i) ? sent.set(p, messages[i]!) : p.reject(notFound('Channel'))));
    return { sent, events };
  }

  async function flush(batch: Pending[]) {
    try {
      const begun = performance.now();
      const { sent, events } = await write(batch);
      const written = performance.now();
      for (const [p, message] of sent) p.resolve(message);
      notifier.durable(events);
      onBatch?.({
        messages: batch.length,
        waitSeconds: (begun - batch[0]!.queuedAt) / 1000,
        writeSeconds: (written - begun) / 1000,
        publishSeconds: (performance.now() - written) / 1000,
      });
    } catch (err) {
      if (batch.length === 1) return batch[0]!.reject(err);
      for (const p of batch) await flush([p]);
    }
  }

  /** The next batch: queued sends, in order, for channels no batch is being written for. */
  function take(): Pending[] {
    const batch: Pending[] = [];
    const held: Pending[] = [];
    for (const p of queue) (batch.length < MAX_BATCH && !writing.has(p.channelId) ? batch : held).push(p);
    queue = held;
    return batch;
  }

  async function writer() {
    const batch = take();
    if (!batch.length) return;
    writers++;
    const channels = new Set(batch.map((p) => p.channelId));
    for (const c of channels) writing.add(c);
    try {
      await flush(batch);
    } finally {
      for (const c of channels) writing.delete(c);
      writers--;
    }
    // What queued meanwhile goes next, but not before the sends this batch's acks let in: a
    // socket's requests beyond its in-flight cap start one turn after an ack frees a slot (see
    // TrpcConnection.admit), so a writer taking the queue right away would commit a sender's
    // 16 sends as 1 + 15, and keep doing so.
    if (queue.length) setImmediate(schedule);
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
        queue.push({ ...request, resolve, reject, queuedAt: performance.now() });
        schedule();
      });
    },
  };
}

export type SendBatcher = ReturnType<typeof createSendBatcher>;
