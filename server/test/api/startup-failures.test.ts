import { afterAll, describe, expect, test } from 'bun:test';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startParley } from '../../app.ts';
import { loadConfig } from '../../config.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { spawnCollecting, spawnServer, until } from '../helpers/spawn.ts';

/**
 * Every way a start can fail is one line on stderr naming what to fix, and a non-zero exit;
 * never a stack. The embedded database is one process's: a second one is refused.
 */
const root = mkdtempSync(join(tmpdir(), 'parley-startfail-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = () => join(root, `d${n++}`);
const pg = process.env.DATABASE_URL;

async function refusal(env: Record<string, string>, opts: { uid?: number } = {}) {
  const run = spawnServer({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', DATA_DIR: freshDir(), ...env }, opts);
  const timer = setTimeout(() => run.proc.kill('SIGKILL'), 60_000);
  const { code, signal } = await run.exited;
  clearTimeout(timer);
  expect(signal).toBeNull();
  expect(code).not.toBe(0);
  expect(run.stderr).toHaveLength(1);
  expect(run.stderr[0]).toStartWith('parley: ');
  expect(run.stderr.join('\n')).not.toMatch(/\bat .*\.ts:\d+|\n\s+at /);
  return run.stderr[0]!;
}

const withDatabase = (name: string) => {
  const url = new URL(pg!);
  url.pathname = `/${name}`;
  return url.toString();
};

describe('database', () => {
  test('unreachable: names DATABASE_URL and where it points, not the password', async () => {
    const line = await refusal({ DATABASE_URL: 'postgres://root:hunter2@127.0.0.1:1/parley' });
    expect(line).toBe(
      'parley: cannot reach the database in DATABASE_URL (127.0.0.1:1/parley): connection refused; is PostgreSQL running and listening there?',
    );
  });

  test('unknown host', async () => {
    const line = await refusal({ DATABASE_URL: 'postgres://root@no-such-host.invalid:5432/parley' });
    expect(line).toContain('DATABASE_URL');
    expect(line).toContain('host "no-such-host.invalid" not found');
  });

  test.skipIf(!pg)('missing database', async () => {
    const name = `parley_missing_${crypto.randomUUID().slice(0, 8)}`;
    const line = await refusal({ DATABASE_URL: withDatabase(name) });
    expect(line).toContain('the database in DATABASE_URL does not exist');
    expect(line).toContain(`createdb ${name}`);
  });

  test.skipIf(!pg)('login refused', async () => {
    const url = new URL(pg!);
    url.username = `parley_nobody_${crypto.randomUUID().slice(0, 8)}`;
    url.password = 'secret-password';
    const line = await refusal({ DATABASE_URL: url.toString() });
    expect(line).toContain('PostgreSQL refused the login in DATABASE_URL');
    expect(line).toContain(url.username);
    expect(line).not.toContain('secret-password');
  });
});

describe('directories and port', () => {
  test('DATA_DIR under a regular file cannot be created', async () => {
    const file = join(root, 'a-file');
    writeFileSync(file, '');
    const line = await refusal({ DATA_DIR: join(file, 'data') });
    expect(line).toBe(
      `parley: DATA_DIR ${join(file, 'data')} cannot be created (ENOTDIR): give the user running Parley write access to it or set DATA_DIR to a directory it owns`,
    );
  });

  test('DATA_DIR that is a file', async () => {
    const file = join(root, 'another-file');
    writeFileSync(file, '');
    expect(await refusal({ DATA_DIR: file })).toBe(
      `parley: DATA_DIR ${file} is not a directory: give the user running Parley write access to it or set DATA_DIR to a directory it owns`,
    );
  });

  test.skipIf(process.getuid?.() !== 0 || !Bun.which('setpriv'))('DATA_DIR the user may not write to', async () => {
    // Run as nobody (root writes anywhere), on a directory nobody may read but not write.
    const dir = mkdtempSync(join(tmpdir(), 'parley-readonly-'));
    chmodSync(dir, 0o755);
    let line: string;
    try {
      line = await refusal({ DATA_DIR: dir, HOME: '/tmp' }, { uid: 65534 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(line).toBe(
      `parley: DATA_DIR ${dir} is not writable (EACCES): give the user running Parley write access to it or set DATA_DIR to a directory it owns`,
    );
  });

  test('a taken port is refused (Bun would otherwise share it through SO_REUSEPORT)', async () => {
    const holder: Server = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const port = (holder.address() as { port: number }).port;
    try {
      const line = await refusal({ PORT: String(port) });
      expect(line).toBe(
        `parley: PORT ${port} is already in use on 127.0.0.1: stop the other process or set PORT to a free port (REUSE_PORT=true lets Parley instances on PostgreSQL share one)`,
      );
    } finally {
      holder.close();
    }
  });
});

describe('the embedded database belongs to one process', () => {
  test('DATA_DIR is 0700 and its files 0600; a second instance on it is refused while the first runs', async () => {
    const dataDir = freshDir();
    const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'error' });
    const parley = await startParley(config);
    const loose = () =>
      [...new Bun.Glob('**/*').scanSync({ cwd: dataDir, onlyFiles: false, dot: true })]
        .map((p) => join(dataDir, p))
        .filter((p) => (statSync(p).mode & 0o777) !== (statSync(p).isDirectory() ? 0o700 : 0o600));
    try {
      expect(statSync(dataDir).mode & 0o777).toBe(0o700);
      expect(loose()).toEqual([]);
      expect(readFileSync(join(dataDir, 'parley.lock'), 'utf8').trim()).toBe(String(process.pid));

      const line = await refusal({ DATA_DIR: dataDir });
      expect(line).toStartWith(`parley: DATA_DIR ${dataDir} is in use by another Parley process (pid ${process.pid}`);
      await parley.services.auth.register({ username: 'modes_user', password: 'password-123' }, '127.0.0.1');
    } finally {
      await parley.stop();
    }
    expect(existsSync(join(dataDir, 'parley.lock'))).toBe(false);
    expect(loose()).toEqual([]);
  }, 240_000);

  test('a lock left by a dead process is taken over, and released at exit', async () => {
    const dataDir = freshDir();
    mkdirSync(dataDir, { mode: 0o700 });
    const gone = spawnCollecting(['true'], {});
    await gone.exited;
    const lock = join(dataDir, 'parley.lock');
    writeFileSync(lock, `${gone.proc.pid}\n`);

    const run = spawnServer({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'error', DATA_DIR: dataDir });
    const holder = () => (existsSync(lock) ? readFileSync(lock, 'utf8').trim() : '');
    await until(() => holder() === String(run.proc.pid) || run.proc.exitCode !== null, 'the lock to be taken over');
    expect(holder()).toBe(String(run.proc.pid));
    run.proc.kill('SIGTERM');
    await run.exited;
    expect(run.stderr).toEqual([]);
    expect(existsSync(lock)).toBe(false);
  }, 120_000);
});

describe.skipIf(!pg)('redis', () => {
  test('unreachable at start: the server runs degraded and says so in one warning line', async () => {
    const db = await createTestDatabase();
    const run = spawnServer({
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      DATA_DIR: freshDir(),
      DATABASE_URL: db.url!,
      REDIS_URL: 'redis://127.0.0.1:1',
      JWT_SECRET: 's'.repeat(40),
    });
    try {
      const listening = JSON.parse(await run.waitForLine((l) => l.includes('"listening"'))) as { url: string };
      await run.waitForLine((l) => l.includes('"warn"'));
      const ready = await fetch(`${listening.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({ status: 'degraded', checks: { database: 'ok', bus: 'down' } });
      // Work that touches presence and rate limits while Redis is away.
      const register = await fetch(`${listening.url}/trpc/auth.register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'degraded_user', password: 'password-123', display_name: 'D' }),
      });
      expect(register.status).toBe(200);
    } finally {
      run.proc.kill('SIGTERM');
      await run.exited;
      await db.dispose();
    }
    const warnings = run.lines.filter((l) => l.includes('"level":"warn"') || l.includes('"level":"error"'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('redis unreachable at REDIS_URL (127.0.0.1:1): running degraded');
    expect(run.stderr).toEqual([]);
  }, 120_000);
});
