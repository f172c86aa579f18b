import { and, asc, eq, gt, inArray, lte, sql } from 'drizzle-orm';
import * as Y from 'yjs';
import type { Database, Tx } from '../../db/client.ts';
import { documents, documentSnapshots, documentUpdates, streamCounters } from '../../db/schema/index.ts';
import { docStream } from '../../realtime/streams.ts';

/** One stored update: its place in the document's stream and its bytes. */
export interface StoredUpdate {
  seq: number;
  update: Uint8Array;
}

/** A document as stored: the snapshot, then the updates after it, oldest first. */
export interface StoredDocument {
  snapshot: StoredUpdate;
  tail: StoredUpdate[];
  /** The highest sequence the state covers. */
  seq: number;
}

/** A write waiting for its sequence. */
export interface PendingWrite {
  update: Uint8Array;
  userId: string | null;
}

const bytes = (v: unknown): Uint8Array => {
  if (v instanceof Uint8Array) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  // postgres.js without type parsing can hand back the hex text form.
  if (typeof v === 'string' && v.startsWith('\\x')) return new Uint8Array(Buffer.from(v.slice(2), 'hex'));
  throw new Error('unexpected bytea value');
};

/**
 * Document persistence: an append-only update log after a snapshot. Sequences come from the
 * shared stream counters (`doc:<id>`), so writes to one document commit in sequence order across
 * instances; compaction folds the log into the snapshot under the snapshot row's lock.
 */
export function createDocStore(database: Database) {
  const { db } = database;

  return {
    /** Stores a new document's first state (sequence 0). Runs inside the creating transaction. */
    async init(tx: Tx, documentId: string, state: Uint8Array) {
      await tx.insert(documentSnapshots).values({ documentId, seq: 0, state });
    },

    /**
     * Snapshot and tail in one statement, so a compaction committing in between cannot make the
     * tail start after the snapshot it was read with. Null when the document does not exist.
     */
    async load(documentId: string): Promise<StoredDocument | null> {
      const rows = await database.rows<{ kind: number; seq: string | number; data: unknown }>(sql`
        select 1 as kind, s.seq, s.state as data from document_snapshots s where s.document_id = ${documentId}
        union all
        select 0 as kind, u.seq, u.update as data from document_updates u
          where u.document_id = ${documentId}
            and u.seq > coalesce((select seq from document_snapshots where document_id = ${documentId}), 0)
        order by kind desc, seq asc`);
      const head = rows[0];
      if (!head || Number(head.kind) !== 1) return null;
      const snapshot = { seq: Number(head.seq), update: bytes(head.data) };
      const tail = rows.slice(1).map((r) => ({ seq: Number(r.seq), update: bytes(r.data) }));
      return { snapshot, tail, seq: tail.length ? tail[tail.length - 1]!.seq : snapshot.seq };
    },

    /** Updates after `afterSeq`, oldest first (a gap fill); the first may skip ahead if compacted. */
    async readAfter(documentId: string, afterSeq: number, limit: number): Promise<Array<StoredUpdate & { userId: string | null }>> {
      const rows = await db
        .select({ seq: documentUpdates.seq, update: documentUpdates.update, userId: documentUpdates.userId })
        .from(documentUpdates)
        .where(and(eq(documentUpdates.documentId, documentId), gt(documentUpdates.seq, afterSeq)))
        .orderBy(asc(documentUpdates.seq))
        .limit(limit);
      return rows;
    },

    /**
     * Appends the updates of several documents in one transaction of three statements (a group
     * commit across documents); returns each document's first sequence, absent when it no longer
     * exists. Document rows are locked first, in id order (then their counters, in the same
     * order): the order a delete takes too, so neither two batches nor a delete can deadlock.
     */
    async appendMany(batch: Array<{ documentId: string; writes: PendingWrite[] }>): Promise<Map<string, number>> {
      const ids = batch.map((b) => b.documentId).sort();
      return db.transaction(async (tx) => {
        const locked = tx
          .select({ id: documents.id })
          .from(documents)
          .where(inArray(documents.id, ids))
          .orderBy(asc(documents.id))
          .for('update');
        const touched = await tx
          .update(documents)
          .set({ updatedAt: new Date() })
          .where(inArray(documents.id, locked))
          .returning({ id: documents.id });
        const present = new Set(touched.map((t) => t.id));
        const live = batch.filter((b) => present.has(b.documentId)).sort((a, b) => (a.documentId < b.documentId ? -1 : 1));
        const firsts = new Map<string, number>();
        if (!live.length) return firsts;
        const counters = await tx
          .insert(streamCounters)
          .values(live.map((b) => ({ stream: docStream(b.documentId), lastSeq: b.writes.length })))
          .onConflictDoUpdate({ target: streamCounters.stream, set: { lastSeq: sql`${streamCounters.lastSeq} + excluded.last_seq` } })
          .returning({ stream: streamCounters.stream, lastSeq: streamCounters.lastSeq });
        const last = new Map(counters.map((c) => [c.stream, c.lastSeq]));
        const rows = live.flatMap((b) => {
          const first = last.get(docStream(b.documentId))! - b.writes.length + 1;
          firsts.set(b.documentId, first);
          return b.writes.map((w, i) => ({ documentId: b.documentId, seq: first + i, update: w.update, userId: w.userId }));
        });
        await tx.insert(documentUpdates).values(rows);
        return firsts;
      });
    },

    /**
     * Folds every update up to `throughSeq` into the snapshot and deletes them. Built from the
     * database alone (not from any instance's memory), under the snapshot row's lock, so
     * concurrent compactions on several instances serialize and never lose an update.
     */
    async compact(documentId: string, throughSeq: number): Promise<{ folded: number; bytes: number } | null> {
      return db.transaction(async (tx) => {
        const [snap] = await tx
          .select({ seq: documentSnapshots.seq, state: documentSnapshots.state })
          .from(documentSnapshots)
          .where(eq(documentSnapshots.documentId, documentId))
          .for('update');
        if (!snap || snap.seq >= throughSeq) return null;
        const tail = await tx
          .select({ seq: documentUpdates.seq, update: documentUpdates.update })
          .from(documentUpdates)
          .where(and(eq(documentUpdates.documentId, documentId), gt(documentUpdates.seq, snap.seq), lte(documentUpdates.seq, throughSeq)))
          .orderBy(asc(documentUpdates.seq));
        if (!tail.length) return null;
        const covered = tail[tail.length - 1]!.seq;
        // Through a Y.Doc rather than Y.mergeUpdates: the doc garbage-collects deleted content.
        const doc = new Y.Doc();
        try {
          doc.transact(() => {
            Y.applyUpdate(doc, snap.state);
            for (const u of tail) Y.applyUpdate(doc, u.update);
          });
          const state = Y.encodeStateAsUpdate(doc);
          await tx
            .update(documentSnapshots)
            .set({ seq: covered, state, updatedAt: new Date() })
            .where(eq(documentSnapshots.documentId, documentId));
          await tx.delete(documentUpdates).where(and(eq(documentUpdates.documentId, documentId), lte(documentUpdates.seq, covered)));
          return { folded: tail.length, bytes: state.byteLength };
        } finally {
          doc.destroy();
        }
      });
    },

    /** Rows in the log (tests and metrics). */
    async tailLength(documentId: string): Promise<number> {
      const [row] = await db
        .select({ n: sql<number>`count(*)::int` })
        .from(documentUpdates)
        .where(eq(documentUpdates.documentId, documentId));
      return Number(row?.n ?? 0);
    },
  };
}

export type DocStore = ReturnType<typeof createDocStore>;
