import postgres from 'postgres';
import { openPglite, openPostgres, type Database } from '../db/client.ts';
import { migrate } from '../db/migrate.ts';

/** A migrated database of its own for one server: in-memory PGlite, or a fresh database on a PostgreSQL server. */
export interface FreshDatabase {
  database: Database;
  /** The URL of the fresh PostgreSQL database (null on PGlite). */
  url: string | null;
  /** Closes it; a fresh PostgreSQL database is dropped. */
  dispose(): Promise<void>;
}

/** One migrated PGlite image per process: migrating takes seconds, copying the image does not. */
let template: Promise<Blob | File> | null = null;
function pgliteTemplate(): Promise<Blob | File> {
  template ??= (async () => {
    const database = await openPglite(null);
    await migrate(database, null);
    const image = await database.dump!();
    await database.close();
    return image;
  })();
  return template;
}

/**
 * A migrated, empty database: an in-memory PGlite copy when `serverUrl` is null, else a new
 * database created on that PostgreSQL server (its own name, dropped by `dispose`).
 */
export async function createFreshDatabase(serverUrl: string | null): Promise<FreshDatabase> {
  if (!serverUrl) {
    const database = await openPglite(null, await pgliteTemplate());
    return { database, url: null, dispose: () => database.close() };
  }
  const name = `parley_test_${crypto.randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const database = openPostgres(url.toString());
  await migrate(database, url.toString());
  return {
    database,
    url: url.toString(),
    async dispose() {
      await database.close();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}
