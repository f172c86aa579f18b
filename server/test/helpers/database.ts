import postgres from 'postgres';
import { openPglite, openPostgres, type Database } from '../../db/client.ts';
import { migrate } from '../../db/migrate.ts';

/** A migrated database for one test file: a fresh PostgreSQL database when DATABASE_URL is set, else in-memory PGlite. */
export interface TestDatabase {
  database: Database;
  /** The URL of the fresh PostgreSQL database (null on PGlite). */
  url: string | null;
  dispose(): Promise<void>;
}

/** One migrated PGlite image per test process; every test file starts its own copy of it. */
let template: Promise<Blob | File> | null = null;
async function pgliteTemplate(): Promise<Blob | File> {
  template ??= (async () => {
    const database = await openPglite(null);
    await migrate(database, null);
    const image = await database.dump!();
    await database.close();
    return image;
  })();
  return template;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const base = process.env.DATABASE_URL;
  if (!base) {
    const database = await openPglite(null, await pgliteTemplate());
    return { database, url: null, dispose: () => database.close() };
  }
  const name = `parley_test_${crypto.randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const admin = postgres(base, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(base);
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
