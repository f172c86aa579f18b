import { fileURLToPath } from 'node:url';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import type { PgliteDatabase } from 'drizzle-orm/pglite';
import postgres from 'postgres';
import type { Database } from './client.ts';

const migrationsFolder = fileURLToPath(new URL('../../drizzle', import.meta.url));
/** Arbitrary constant naming Parley's migration lock among the server's advisory locks. */
const MIGRATION_LOCK_KEY = 727_274_001;

/**
 * Applies pending migrations. On PostgreSQL this holds an advisory lock on a dedicated
 * connection, so several instances starting at once migrate exactly once.
 */
export async function migrate(database: Database, databaseUrl: string | null): Promise<void> {
  if (database.kind === 'pglite' || !databaseUrl) {
    await migratePglite(database.db as unknown as PgliteDatabase, { migrationsFolder });
    return;
  }
  const client = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    await client`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`;
    await migratePostgres(drizzlePostgres(client), { migrationsFolder });
  } finally {
    // Closing the connection below releases the lock too; unlocking first only frees it sooner.
    await client`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`.catch(() => {});
    await client.end({ timeout: 5 });
  }
}
