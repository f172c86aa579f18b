import { and, asc, eq, gt, inArray, sql, type SQL } from 'drizzle-orm';
import type { Database, Tx } from '../db/client.ts';
import { events, streamCounters } from '../db/schema/index.ts';
import type { StreamEvent } from './streams.ts';

/**
 * Events of a stream that are stored outside the `events` table, in the rows they describe (a
 * channel's messages): `select` returns a query of their `seq, payload` after `afterSeq`, oldest
 * first, at most `limit` — or null when the stream has none.
 */
export interface StreamSource {
  select(stream: string, afterSeq: number, limit: number): SQL | null;
}

/**
 * The durable event log. Appending takes the next sequence of the stream (locking its counter
 * row until commit, so a stream's events commit in sequence order) and stores the event's JSON.
 */
export function createEventLog(database: Database, sources: StreamSource[] = []) {
  const { db } = database;

  /** Reserves `count` consecutive sequences on `stream`; returns the first. */
  async function reserve(tx: Tx, stream: string, count = 1): Promise<number> {
    const [row] = await tx
      .insert(streamCounters)
      .values({ stream, lastSeq: count })
      .onConflictDoUpdate({ target: streamCounters.stream, set: { lastSeq: sql`${streamCounters.lastSeq} + ${count}` } })
      .returning({ lastSeq: streamCounters.lastSeq });
    return row!.lastSeq - count + 1;
  }

  /** Stores an event whose payload may depend on its sequence (e.g. a message carries its own seq). */
  /** `entityId` names the message the event carries, so its later edit or delete can rewrite it (see redact.ts). */
  async function append(tx: Tx, stream: string, build: (seq: number) => object, seq?: number, entityId?: string): Promise<StreamEvent> {
    const at = seq ?? (await reserve(tx, stream));
    const json = JSON.stringify(build(at));
    await tx.insert(events).values({ stream, seq: at, payload: json, entityId });
    return { stream, seq: at, json };
  }

  return {
    reserve,
    append,

    /** Appends the same event to several streams (e.g. every member's own stream) in two statements. */
    async appendToAll(tx: Tx, streams: string[], payload: object, entityId?: string): Promise<StreamEvent[]> {
      // Sorted and unique: concurrent writers lock counters in one order, so they cannot deadlock.
      const keys = [...new Set(streams)].sort();
      if (!keys.length) return [];
      const counters = await tx
        .insert(streamCounters)
        .values(keys.map((stream) => ({ stream, lastSeq: 1 })))
        .onConflictDoUpdate({ target: streamCounters.stream, set: { lastSeq: sql`${streamCounters.lastSeq} + 1` } })
        .returning({ stream: streamCounters.stream, seq: streamCounters.lastSeq });
      const json = JSON.stringify(payload);
      const out = counters.map((c) => ({ stream: c.stream, seq: c.seq, json }));
      await tx.insert(events).values(out.map((e) => ({ stream: e.stream, seq: e.seq, payload: json, entityId })));
      return out;
    },

    /** Forgets deleted streams entirely (a deleted channel's history must not outlive it). */
    async purge(tx: Tx, streams: string[]): Promise<void> {
      if (!streams.length) return;
      await tx.delete(events).where(inArray(events.stream, streams));
      await tx.delete(streamCounters).where(inArray(streamCounters.stream, streams));
    },

    /** Events after `afterSeq`, oldest first, at most `limit` (the `events` table and the stream's sources, merged). */
    async read(stream: string, afterSeq: number, limit: number): Promise<StreamEvent[]> {
      const elsewhere = sources.map((s) => s.select(stream, afterSeq, limit)).filter((q) => q !== null);
      if (elsewhere.length) {
        const parts = elsewhere.map((q) => sql`union all (${q})`);
        const rows = await database.rows<{ seq: number | string; payload: string }>(sql`
          select seq, payload from (
            (select seq, payload from events where stream = ${stream} and seq > ${afterSeq} order by seq limit ${limit})
            ${sql.join(parts, sql` `)}
          ) merged order by seq limit ${limit}`);
        return rows.map((r) => ({ stream, seq: Number(r.seq), json: r.payload }));
      }
      const rows = await db
        .select({ seq: events.seq, payload: events.payload })
        .from(events)
        .where(and(eq(events.stream, stream), gt(events.seq, afterSeq)))
        .orderBy(asc(events.seq))
        .limit(limit);
      return rows.map((r) => ({ stream, seq: r.seq, json: r.payload }));
    },

    /** The stream's latest committed sequence (0 when it has none). */
    async latest(stream: string): Promise<number> {
      const [row] = await db.select({ lastSeq: streamCounters.lastSeq }).from(streamCounters).where(eq(streamCounters.stream, stream));
      return row?.lastSeq ?? 0;
    },
  };
}

export type EventLog = ReturnType<typeof createEventLog>;
