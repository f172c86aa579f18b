import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { SQL } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { pgliteAssets } from './pglite-assets.ts';
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

type PostgresClient = ReturnType<typeof postgres>;

/**
 * drizzle runs its queries unnamed (`prepare: false`), and postgres.js sends an unnamed query
 * with parameters in two round trips (describe, then execute). Forcing named statements makes
 * every repeated query one round trip after its first use on a connection, in transactions too.
 */
function preparing(client: PostgresClient): PostgresClient {
  return new Proxy(client, {
    get(target, prop, receiver) {
      if (prop === 'unsafe') {
        return (query: string, params?: unknown[], options?: object) =>
          target.unsafe(query, params as never, { ...options, prepare: true });
      }
      if (prop === 'begin') {
        return (...args: unknown[]) => {
          const work = args.pop() as (tx: PostgresClient) => unknown;
          return (target.begin as (...a: unknown[]) => unknown)(...args, (tx: PostgresClient) => work(preparing(tx)));
        };
      }
      const value = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** Opens PostgreSQL through postgres.js. */
export function openPostgres(url: string, opts: { max?: number } = {}): Database {
  const client = postgres(url, {
    max: opts.max ?? 10,
    onnotice: () => {},
    prepare: true,
    // Statements are prepared once but planned for their actual values every time: a generic
    // plan cannot tell a search for a common word from a rare one, or a short unread range from a long one.
    // JIT compilation costs more than it saves on short OLTP queries (seen: 300 ms on an unread count).
    connection: { plan_cache_mode: 'force_custom_plan', jit: 'off' },
  });
  const db = drizzlePostgres(preparing(client), { schema }) as unknown as Db;
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
  const client = await PGlite.create({
    ...(await pgliteAssets()),
    ...(dataDir && { dataDir: join(dataDir, 'pgdata') }),
    ...(fromDump && { loadDataDir: fromDump }),
  });
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
