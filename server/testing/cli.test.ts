import { expect, test } from 'bun:test';
import { join } from 'node:path';

/** The fixture CLI as another runner uses it: a URL on stdout, or a command run with PARLEY_URL. */

const cli = join(import.meta.dir, 'cli.ts');
const database = process.env.DATABASE_URL ? ['--database-url', process.env.DATABASE_URL] : [];

test('prints the URL of a healthy server first, and stops cleanly on SIGTERM', async () => {
  const child = Bun.spawn([process.execPath, cli, ...database], { stdout: 'pipe', stderr: 'pipe' });
  try {
    const reader = child.stdout.getReader();
    let out = '';
    while (!out.includes('\n')) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`the CLI exited before printing a URL: ${await new Response(child.stderr).text()}`);
      out += new TextDecoder().decode(value);
    }
    const url = out.split('\n')[0]!;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    child.kill('SIGTERM');
    expect(await child.exited).toBe(0);
  } finally {
    child.kill();
  }
}, 240_000);

test('runs a command with PARLEY_URL set and exits with its code', async () => {
  const probe = `fetch(process.env.PARLEY_URL + '/healthz').then((r) => process.exit(r.ok ? 7 : 1), () => process.exit(1))`;
  const child = Bun.spawn([process.execPath, cli, ...database, '--', 'node', '-e', probe], { stdout: 'pipe', stderr: 'pipe' });
  const [status, stderr] = await Promise.all([child.exited, new Response(child.stderr).text()]);
  expect({ status, stderr }).toEqual({ status: 7, stderr: '' });
}, 240_000);
