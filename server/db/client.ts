import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite, types } from '@electric-sql/pglite';
import { fillPlaceholders, type SQL } from 'drizzle-orm';
import { type PgDatabase, PgDialect, type PgQueryResultHKT } from 'drizzle-orm/pg-core';
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

/** A raw statement built once, run with each call's values for its `sql.placeholder`s. */
export type Prepared<T> = (values: Record<string, unknown>) => Promise<T[]>;

export interface Database {
  db: Db;
  kind: 'postgres' | 'pglite';
  /** Runs raw SQL and returns its rows, whichever driver is underneath. */
  rows<T>(query: SQL, tx?: Tx): Promise<T[]>;
  /**
   * Where the group-commit writers run their fixed-shape batch statements: the same database,
   * but on PostgreSQL over connections that keep a statement's generic plan. The main pool
   * re-plans every execution (see `openPostgres`), which for the batched message insert — whose
   * best plan never depends on its values — was ~40% of its database CPU.
   */
  batchWriter: Pick<Database, 'db' | 'rows'>;
  /**
   * Where reads of one fixed shape run (a history page): on PostgreSQL, connections that plan a
   * statement once and reuse that generic plan. Planning a history page took as long as running
   * it. Only a statement whose best plan does not depend on its values belongs here: a search or
   * an unread count on it would keep whatever plan its first values got.
   */
  fixedPlanReader: Pick<Database, 'db' | 'rows'> & {
    /**
     * Renders a hot read's SQL once. Its rows come keyed by column name, with values as drizzle's
     * drivers read them: timestamps as text (`new Date(text)` is the instant), `int8` as text or a
     * number, json parsed. drizzle's per-row mapping through aliased columns was a quarter of a
     * history page's CPU, and rendering the SQL a fifth.
     */
    prepare<T>(query: SQL): Prepared<T>;
  };
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

const dialect = new PgDialect();

/** `Database.fixedPlanReader.prepare` over a driver's own query call. */
function preparer(run: (text: string, params: unknown[]) => Promise<unknown>) {
  return <T>(query: SQL): Prepared<T> => {
    const { sql: text, params } = dialect.sqlToQuery(query);
    return async (values) => rowsOf<T>(await run(text, fillPlaceholders(params, values)));
  };
}

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

/** Connections the group-commit writers use at most at once (see send-batch.ts). */
export const BATCH_WRITERS = 2;
/** Connections of `Database.fixedPlanReader`: its statements take well under a millisecond. */
const FIXED_PLAN_READERS = 4;

/** Opens PostgreSQL through postgres.js. */
export function openPostgres(url: string, opts: { max?: number } = {}): Database {
  const open = (max: number, plans: 'force_custom_plan' | 'auto' | 'force_generic_plan') =>
    // JIT compilation costs more than it saves on short OLTP queries (seen: 300 ms on an unread count).
    postgres(url, { max, onnotice: () => {}, prepare: true, connection: { plan_cache_mode: plans, jit: 'off' } });
  // Statements are prepared once but planned for their actual values every time: a generic
  // plan cannot tell a search for a common word from a rare one, or a short unread range from a long one.
  const client = open(opts.max ?? 10, 'force_custom_plan');
  const writerClient = open(BATCH_WRITERS, 'auto');
  // Forced, not 'auto': 'auto' keeps custom plans whenever the generic plan's estimate is higher,
  // and a `limit $n` alone makes it so (estimated at a tenth of the channel, not 51 rows).
  const readerClient = open(FIXED_PLAN_READERS, 'force_generic_plan');
  const db = drizzlePostgres(preparing(client), { schema }) as unknown as Db;
  const writerDb = drizzlePostgres(preparing(writerClient), { schema }) as unknown as Db;
  const readerDb = drizzlePostgres(preparing(readerClient), { schema }) as unknown as Db;
  const rows = async <T>(query: SQL, tx: Tx = db) => rowsOf<T>(await tx.execute(query));
  const clients = [client, writerClient, readerClient];
  return {
    db,
    kind: 'postgres',
    rows,
    batchWriter: { db: writerDb, rows: (query, tx = writerDb) => rows(query, tx) },
    fixedPlanReader: {
      db: readerDb,
      rows: (query, tx = readerDb) => rows(query, tx),
      prepare: preparer((text, params) => readerClient.unsafe(text, params as never, { prepare: true })),
    },
    ping: async () => void (await client`select 1`),
    close: async () => void (await Promise.all(clients.map((c) => c.end({ timeout: 5 })))),
  };
}

/** PGlite's parsers, as drizzle sets them: timestamps as text, as postgres.js under drizzle gives them too. */
const TIMESTAMPS_AS_TEXT = { [types.TIMESTAMP]: String, [types.TIMESTAMPTZ]: String };

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
  const rows = async <T>(query: SQL, tx: Tx = db) => rowsOf<T>(await tx.execute(query));
  const prepare = preparer((text, params) => client.query(text, params, { parsers: TIMESTAMPS_AS_TEXT }));
  return {
    db,
    kind: 'pglite',
    rows,
    // One connection in the process: nothing to separate, and PGlite has no plan cache setting to keep.
    batchWriter: { db, rows },
    fixedPlanReader: { db, rows, prepare },
    ping: async () => void (await client.query('select 1')),
    close: () => client.close(),
    dump: () => client.dumpDataDir('none'),
  };
}
