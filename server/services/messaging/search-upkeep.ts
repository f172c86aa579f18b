import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';

/**
 * Batched maintenance of the message search index (`messages_search_idx`, fastupdate on): a send
 * appends its words to the index's pending list, and this merges the list into the index in bulk,
 * off the send path. Searches read the pending list too, so a message is findable the moment it
 * is acknowledged. Safe with several instances running it: PostgreSQL lets one merge at a time.
 */
export function createSearchUpkeep(database: Database) {
  return {
    /** Merges the pending list; returns how many of its pages were merged (0: nothing was pending). */
    async run(): Promise<number> {
      const [row] = await database.rows<{ pages: number | string }>(
        sql`select gin_clean_pending_list('messages_search_idx'::regclass) as pages`,
      );
      return Number(row?.pages ?? 0);
    },
  };
}
