import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { SQL } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import * as schema from './schema/index.ts';

export type Schema = typeof schema;
/** The drizzle database both drivers present; services only ever see this. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
/** A transaction or the database itself: anything that can run a query. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0] | Db;

export interface Database {
  db: Db;
  kind: 'postgres' | 'pglite';
  /** Runs raw SQL and returns its rows, whichever driver is underneath. */
  rows<T>(query: SQL, tx?: Tx): Promise<T[]>;
  ping(): Promise<void>;
  close(): Promise<void>;
  /** PGlite only: an image of the whole database, to start copies from. */
  dump?(): Promise<Blob | File>;
}

/** Rows of a raw `execute`: postgres.js returns an array, PGlite an object with `rows`. */
function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}

/** Opens PostgreSQL through postgres.js. */
export function openPostgres(url: string, opts: { max?: number } = {}): Database {
  const client = postgres(url, { max: opts.max ?? 10, onnotice: () => {}, prepare: true });
  const db = drizzlePostgres(client, { schema }) as unknown as Db;
  return {
    db,
    kind: 'postgres',
    rows: async (query, tx = db) => rowsOf(await tx.execute(query)),
    ping: async () => void (await client`select 1`),
    close: () => client.end({ timeout: 5 }),
  };
}

/**
 * Opens the embedded PGlite database, persisted under `dataDir` (or in memory when null).
 * `fromDump` starts it from a `dumpDataDir()` image instead of running initdb (tests use a
 * migrated template, which is many times faster than a fresh instance).
 */
export async function openPglite(dataDir: string | null, fromDump?: Blob | File): Promise<Database> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const client = await PGlite.create({ ...(dataDir && { dataDir: join(dataDir, 'pgdata') }), ...(fromDump && { loadDataDir: fromDump }) });
  const db = drizzlePglite(client, { schema }) as unknown as Db;
  return {
    db,
    kind: 'pglite',
    rows: async (query, tx = db) => rowsOf(await tx.execute(query)),
    ping: async () => void (await client.query('select 1')),
    close: () => client.close(),
    dump: () => client.dumpDataDir('none'),
  };
}
