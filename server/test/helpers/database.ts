import { createFreshDatabase, type FreshDatabase } from '../../testing/database.ts';

/** A migrated database for one test file: a fresh PostgreSQL database when DATABASE_URL is set, else in-memory PGlite. */
export type TestDatabase = FreshDatabase;

export const createTestDatabase = (): Promise<TestDatabase> => createFreshDatabase(process.env.DATABASE_URL ?? null);
