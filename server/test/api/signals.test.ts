import { afterAll, beforeAll, expect, test } from 'bun:test';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPglite } from '../../db/client.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { spawnCollecting, until } from '../helpers/spawn.ts';

/**
 * `npm start` as an operator (or systemd, or a container runtime) runs it: the signal goes to
 * the process npm start created. Bun must be what runs there (no shell left in between), and
 * SIGTERM and SIGINT must both drain: tell clients to reconnect, wait for them, exit 0.
 */
const dataDir = mkdtempSync(join(tmpdir(), 'parley-signals-'));
let db: TestDatabase | null = null;
beforeAll(async () => {
  if (process.env.DATABASE_URL) return void (db = await createTestDatabase());
  // The embedded database, migrated already (from the suite's template): no minutes of initdb.
  const seed = await createTestDatabase();
  const image = await seed.database.dump!();
  await seed.dispose();
  await (await openPglite(dataDir, image)).close();
}, 240_000);
afterAll(async () => {
  await db?.dispose();
  rmSync(dataDir, { recursive: true, force: true });
});

/** The children of `pid` (Linux /proc). */
const childrenOf = (pid: number) =>
  readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  test(`${signal} to the npm start process drains the server and exits`, async () => {
    const npm = spawnCollecting(['npm', 'start', '--silent'], {
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      DATA_DIR: dataDir,
      SHUTDOWN_GRACE_SECONDS: '60',
      ...(db ? { DATABASE_URL: db.url! } : {}),
    });
    let child: number | undefined;
    try {
      const { url } = JSON.parse(await npm.waitForLine((l) => l.includes('"listening"'), 180_000)) as { url: string };

      // npm's only child is bun itself, running the server: nothing in between to swallow the signal.
      const [first, ...others] = childrenOf(npm.proc.pid);
      child = first;
      expect(others).toEqual([]);
      const cmdline = readFileSync(`/proc/${child}/cmdline`, 'utf8').split('\0');
      expect(cmdline[0]!.split('/').pop()).toBe('bun');
      expect(cmdline).toContain('server/index.ts');

      // A client that reconnects when told to, as the typed client does.
      const ws = new WebSocket(url.replace('http', 'ws') + '/trpc');
      await new Promise((resolve, reject) => ((ws.onopen = resolve), (ws.onerror = reject)));
      const told = new Promise<string>((resolve) => (ws.onmessage = (e) => resolve(String(e.data))));
      const closed = new Promise<void>((resolve) => (ws.onclose = () => resolve()));

      npm.proc.kill(signal);
      expect(await told).toBe('{"id":null,"method":"reconnect"}');
      await npm.waitForLine((l) => l.includes('"shutting down"') && l.includes(signal), 30_000);
      // The server is waiting for us (grace period 60 s): leaving lets it finish at once.
      expect(alive(child!)).toBe(true);
      ws.close();
      await closed;

      const { code } = await npm.exited;
      expect(code).toBe(0);
      await until(() => !alive(child!), 'the server process to be gone', 30_000);
      if (!db) expect(existsSync(join(dataDir, 'parley.lock'))).toBe(false);
      expect(npm.stderr).toEqual([]);
    } finally {
      // Never leave a server behind holding the DATA_DIR lock for the next test.
      for (const pid of child ? [child] : npm.proc.exitCode === null ? childrenOf(npm.proc.pid) : [])
        if (alive(pid)) process.kill(pid, 'SIGKILL');
      if (npm.proc.exitCode === null) npm.proc.kill('SIGKILL');
    }
  }, 300_000);
}
