import { expect, test } from 'bun:test';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDirectoryStorage } from './directory.ts';
import { StorageError } from './index.ts';
import { storageContract } from './storage.contract.ts';

/** Every file under `root` (committed and staged), relative to it. */
const listFiles = (root: string) =>
  readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(root.length + 1))
    .sort();

storageContract('directory', async () => {
  const root = mkdtempSync(join(tmpdir(), 'parley-storage-'));
  return {
    storage: createDirectoryStorage(root),
    residue: async () => listFiles(root),
    dispose: async () => rmSync(root, { recursive: true, force: true }),
  };
});

test('directory: content-addressed, private files, the same bytes stored once', async () => {
  const root = mkdtempSync(join(tmpdir(), 'parley-storage-'));
  try {
    const storage = createDirectoryStorage(root);
    const a = await storage.stage(new Blob(['same bytes']), { maxBytes: 100 });
    await a.commit();
    const b = await storage.stage(new Blob(['same bytes']), { maxBytes: 100 });
    await b.commit();
    expect(b.key).toBe(a.key);
    expect(a.key).toBe(new Bun.CryptoHasher('sha256').update('same bytes').digest('hex'));
    expect(listFiles(root)).toEqual([join(a.key.slice(0, 2), a.key)]);
    expect(statSync(join(root, a.key.slice(0, 2), a.key)).mode & 0o777).toBe(0o600);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('directory: an unwritable store is a clear "unavailable" error', async () => {
  const storage = createDirectoryStorage('/proc/parley-cannot-write-here');
  const err = await storage.stage(new Blob(['x']), { maxBytes: 100 }).catch((e) => e);
  expect(err).toBeInstanceOf(StorageError);
  expect((err as StorageError).kind).toBe('unavailable');
});
