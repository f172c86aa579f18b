import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import type { MigrationMeta } from 'drizzle-orm/migrator';
import type { PgDialect, PgSession } from 'drizzle-orm/pg-core';
import postgres from 'postgres';
import type { Database } from './client.ts';
import { embeddedMigrations } from './migrations.macro.ts' with { type: 'macro' };

/** drizzle/ as it was when this module was transpiled (or bundled into the binary). */
const migrations: MigrationMeta[] = embeddedMigrations();
/** Arbitrary constant naming Parley's migration lock among the server's advisory locks. */
const MIGRATION_LOCK_KEY = 727_274_001;

/**
 * drizzle's migrators only take a folder; this is the two lines they run after reading it,
 * fed from the embedded copy instead (dialect and session are internal to drizzle 0.45).
 */
function applyMigrations(db: unknown): Promise<void> {
  const { dialect, session } = db as { dialect: PgDialect; session: PgSession };
  return dialect.migrate(migrations, session, { migrationsFolder: 'drizzle' });
}

/**
 * Applies pending migrations. On PostgreSQL this holds an advisory lock on a dedicated
 * connection, so several instances starting at once migrate exactly once.
 */
export async function migrate(database: Database, databaseUrl: string | null): Promise<void> {
  if (database.kind === 'pglite' || !databaseUrl) {
    await applyMigrations(database.db);
    return;
  }
  const client = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    await client`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`;
    await applyMigrations(drizzlePostgres(client));
  } finally {
    // Closing the connection below releases the lock too; unlocking first only frees it sooner.
    await client`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`.catch(() => {});
    await client.end({ timeout: 5 });
  }
}
