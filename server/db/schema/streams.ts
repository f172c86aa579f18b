import { bigint, index, pgTable, primaryKey, text, uuid } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import { createdAt } from './users.ts';

/**
 * Durable event streams: a channel (`c:<id>`), a DM pair (`d:<a>:<b>`) or a user's own stream (`u:<id>`).
 * The counter row is locked by each writer, so sequences are gap-free and commit in order per stream.
 */
export const streamCounters = pgTable('stream_counters', {
  stream: text('stream').primaryKey(),
  lastSeq: bigint('last_seq', { mode: 'number' }).notNull(),
});

/** Every durable event, serialized once as JSON text: replayed on resume and used to fill gaps. */
export const events = pgTable(
  'events',
  {
    stream: text('stream').notNull(),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    payload: text('payload').notNull(),
    /**
     * The message (channel or DM) an event carries or refers to, so an edit or delete can rewrite
     * that message's earlier events: a replay shows the present, never the past.
     */
    entityId: uuid('entity_id'),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.stream, t.seq] }),
    index('events_entity_idx')
      .on(t.entityId)
      .where(sql`entity_id is not null`),
  ],
);
