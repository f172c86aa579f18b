import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test';
import { eq } from 'drizzle-orm';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { files } from '../../db/schema/index.ts';
import { expectCode } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { form, uploader, type Uploader } from './support.ts';

// Real servers on a shared, busy machine: allow for slow starts and slow hashing.
setDefaultTimeout(60_000);

let server: TestServer;
let storageDir: string;
let users: Uploader[];
beforeAll(async () => {
  storageDir = mkdtempSync(join(tmpdir(), 'parley-files-'));
  server = await startTestServer({ RATE_LIMIT_UPLOADS: '4/60s', UPLOAD_QUOTA_BYTES: '3000', STORAGE_DIR: storageDir });
  users = await Promise.all(['quota', 'rate', 'broken'].map((p) => uploader(server.url, p)));
}, 180_000);
afterAll(async () => {
  await server.stop();
  rmSync(storageDir, { recursive: true, force: true });
});

const rowsOf = (userId: string) => server.database.db.select().from(files).where(eq(files.uploaderId, userId));

describe('upload limits and failures', () => {
  test('STORAGE_DIR is where the bytes go', async () => {
    await users[0]!.api.files.upload.mutate(form('where am I', 'w.txt', 'text/plain'));
    const key = new Bun.CryptoHasher('sha256').update('where am I').digest('hex');
    expect(readdirSync(join(storageDir, key.slice(0, 2)))).toContain(key);
  });

  test('a per-user storage quota: an upload that would pass it is PAYLOAD_TOO_LARGE', async () => {
    const [ada] = users;
    await ada!.api.files.upload.mutate(form(new Uint8Array(2000).fill(1), 'a.bin'));
    const error = await expectCode(ada!.api.files.upload.mutate(form(new Uint8Array(1500).fill(2), 'b.bin')), 'PAYLOAD_TOO_LARGE');
    expect(error.message).toContain('quota');
    // Others have their own quota.
    await users[1]!.api.files.upload.mutate(form(new Uint8Array(1500).fill(2), 'b.bin'));
  });

  test('a per-user upload rate limit: TOO_MANY_REQUESTS with when to retry', async () => {
    const bob = users[1]!; // one upload already spent above
    for (let i = 0; i < 3; i++) await bob.api.files.upload.mutate(form(`r${i}`, `r${i}.txt`, 'text/plain'));
    const error = await expectCode(bob.api.files.upload.mutate(form('one too many', 'x.txt', 'text/plain')), 'TOO_MANY_REQUESTS');
    expect(error.retryAfterSeconds).toBeGreaterThan(0);
  });

  test('broken storage is a clear SERVICE_UNAVAILABLE, and leaves no row and no partial file', async () => {
    const eve = users[2]!;
    // The staging directory turns into a file: every write fails.
    rmSync(join(storageDir, '.tmp'), { recursive: true, force: true });
    writeFileSync(join(storageDir, '.tmp'), 'not a directory');
    try {
      const error = await expectCode(eve.api.files.upload.mutate(form('doomed', 'd.txt', 'text/plain')), 'SERVICE_UNAVAILABLE');
      expect(error.httpStatus).toBe(503);
      expect(error.message).toContain('nothing was stored');
      expect(await rowsOf(eve.id)).toEqual([]);
    } finally {
      rmSync(join(storageDir, '.tmp'));
      mkdirSync(join(storageDir, '.tmp'));
    }
    await eve.api.files.upload.mutate(form('works again', 'ok.txt', 'text/plain'));
    expect((await rowsOf(eve.id)).length).toBe(1);
  });
});
