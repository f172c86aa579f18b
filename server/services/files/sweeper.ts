import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';
import type { Logger } from '../../log.ts';
import type { Storage } from '../../storage/index.ts';
import { lockStorageKey } from './service.ts';

/** Files removed per transaction: small enough to keep row locks short. */
const BATCH = 100;

/**
 * Removes files that are gone for good: uploads never attached within the TTL, attachments of
 * deleted messages, and files whose message vanished (a deleted channel). Safe with several
 * instances sweeping at once: rows are taken `FOR UPDATE SKIP LOCKED`, and bytes are deleted
 * only under the storage key's advisory lock (the one an upload takes to commit the same key)
 * when no row references them any more; directory storage shares bytes between identical files.
 */
export function createFileSweeper(deps: { database: Database; storage: Storage; uploadTtlSeconds: number; log: Logger }) {
  const { database, storage, uploadTtlSeconds, log } = deps;

  async function sweepBatch(): Promise<number> {
    return database.db.transaction(async (tx) => {
      const rows = await database.rows<{ id: string; storage_key: string }>(
        sql`select id, storage_key from files
          where deleted_at is not null
            or (attached_at is not null and message_id is null and dm_id is null)
            or (attached_at is null and created_at < now() - make_interval(secs => ${uploadTtlSeconds}))
          order by created_at
          limit ${BATCH}
          for update skip locked`,
        tx,
      );
      if (!rows.length) return 0;
      await database.rows(
        sql`delete from files where id in (${sql.join(
          rows.map((r) => sql`${r.id}`),
          sql`, `,
        )})`,
        tx,
      );
      // Sorted: concurrent sweepers take key locks in one order.
      for (const key of [...new Set(rows.map((r) => r.storage_key))].sort()) {
        await database.rows(lockStorageKey(key), tx);
        const [still] = await database.rows<{ n: number }>(sql`select count(*)::int as n from files where storage_key = ${key}`, tx);
        // Deleted under the key's lock, before commit: an upload of the same bytes waits for it.
        // Should the commit then fail, the rows stay but are dead (deleted, orphaned or past
        // their time: never served nor attachable) and the next sweep retries.
        if (!still?.n) await storage.delete(key);
      }
      return rows.length;
    });
  }

  return {
    /** Sweeps until nothing is left to remove; returns how many files were removed. */
    async sweep(): Promise<number> {
      let total = 0;
      for (;;) {
        const n = await sweepBatch();
        total += n;
        if (n < BATCH) break;
      }
      if (total) log.info('files swept', { count: total });
      return total;
    },
  };
}

export type FileSweeper = ReturnType<typeof createFileSweeper>;
