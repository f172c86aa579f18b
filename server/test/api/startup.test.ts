import { afterAll, expect, test } from 'bun:test';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** `bun server/index.ts` refuses a bad environment: non-zero exit, one line on stderr naming the variable. */
const root = join(import.meta.dir, '../../..');
const dataDir = mkdtempSync(join(tmpdir(), 'parley-startup-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

async function run(env: Record<string, string>) {
  const proc = Bun.spawn([process.execPath, 'server/index.ts'], {
    cwd: root,
    // Only what the process needs: nothing inherited (no DATABASE_URL from the suite's environment).
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'error', ...env },
    stdout: 'pipe',
    stderr: 'pipe',
  });
  // A correct server exits at once on bad config; one that starts instead must not hang the suite.
  const timer = setTimeout(() => proc.kill(), 20_000);
  const [code, stdout, stderr] = await Promise.all([proc.exited, new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  clearTimeout(timer);
  return { code, signal: proc.signalCode, stdout, stderr };
}

const cases: [variable: string, env: Record<string, string>][] = [
  ['PORT', { PORT: 'abc' }],
  ['PORT', { PORT: '70000' }],
  ['DATABASE_URL', { DATABASE_URL: 'mysql://root@localhost/db' }],
  ['RATE_LIMIT_MESSAGES', { RATE_LIMIT_MESSAGES: 'lots' }],
  ['REDIS_URL', { REDIS_URL: 'redis://127.0.0.1:6379' }],
  ['JWT_SECRET', { JWT_SECRET: 'short' }],
  ['LOG_LEVEL', { LOG_LEVEL: 'chatty' }],
];

for (const [variable, env] of cases) {
  test(`${JSON.stringify(env)} exits non-zero with one line naming ${variable}`, async () => {
    const result = await run(env);
    expect(result.signal).toBeNull();
    expect(result.code).not.toBe(0);
    const lines = result.stderr.split('\n').filter((l) => l.trim());
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(variable);
    expect(result.stderr).not.toMatch(/\bat .*\.ts:\d+/);
    expect(result.stdout.trim()).toBe('');
  }, 30_000);
}

test('a refused start leaves DATA_DIR untouched', () => {
  expect(readdirSync(dataDir)).toEqual([]);
});
