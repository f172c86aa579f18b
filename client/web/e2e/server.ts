import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startParley, type Parley } from '../../../server/app.ts';
import { loadConfig } from '../../../server/config.ts';
import { createTestDatabase } from '../../../server/test/helpers/database.ts';
import { TEST_JWT_SECRET } from '../../../server/test/helpers/server.ts';

/**
 * A test server that can go down and come back on the same port over the same database, as a
 * deploy or a crash looks to the browser. Uses PGlite, or PostgreSQL (and Redis) when configured.
 */
export async function startRestartableServer(env: Record<string, string> = {}) {
  const db = await createTestDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-web-'));
  const base: Record<string, string> = {
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    JWT_SECRET: TEST_JWT_SECRET,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'error',
    SHUTDOWN_GRACE_SECONDS: '0',
    ...(db.url ? { DATABASE_URL: db.url } : {}),
    ...(db.url && process.env.REDIS_URL
      ? { REDIS_URL: process.env.REDIS_URL, REDIS_PREFIX: `parley-web:${crypto.randomUUID().slice(0, 8)}:` }
      : {}),
    ...env,
  };
  const boot = (port: number) => startParley(loadConfig({ ...base, PORT: String(port) }), { database: db.database });
  let current: Parley | null = await boot(0);
  const port = current.port;
  return {
    url: current.url,
    async down() {
      await current?.stop();
      current = null;
    },
    async up() {
      current ??= await boot(port);
    },
    async stop() {
      await current?.stop();
      await db.dispose();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
