import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startParley, type Parley } from '../../app.ts';
import { loadConfig } from '../../config.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';

export const TEST_JWT_SECRET = 'test-secret-that-is-long-enough-for-hs256-0123456789';

export interface TestServer extends Parley {
  db: TestDatabase;
  dataDir: string;
  wsUrl: string;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * A real Parley server on an ephemeral port over its own database (PGlite, or a fresh PostgreSQL
 * database when DATABASE_URL is set). Dispose it with `await using` or in `afterAll`.
 */
export async function startTestServer(env: Record<string, string> = {}): Promise<TestServer> {
  const db = await createTestDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-test-'));
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    JWT_SECRET: TEST_JWT_SECRET,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'error',
    RATE_LIMIT_MESSAGES: 'off',
    // Test files register many users from 127.0.0.1 (server/test/security tests the limit).
    RATE_LIMIT_REGISTRATIONS: 'off',
    SHUTDOWN_GRACE_SECONDS: '0',
    ...(db.url ? { DATABASE_URL: db.url } : {}),
    // With Redis, each server gets its own key prefix so test files never see each other.
    ...(db.url && process.env.REDIS_URL
      ? { REDIS_URL: process.env.REDIS_URL, REDIS_PREFIX: `parley-test:${crypto.randomUUID().slice(0, 8)}:` }
      : {}),
    ...env,
  });
  const parley = await startParley(config, { database: db.database });
  const stop = async () => {
    await parley.stop();
    await db.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  };
  return { ...parley, db, dataDir, wsUrl: parley.url.replace('http', 'ws') + '/trpc', stop, [Symbol.asyncDispose]: stop };
}
