import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { meteredChunks, StorageError, type ByteRange, type Storage, type StagedObject } from './index.ts';

const KEY = /^[0-9a-f]{64}$/;

/** Disk errors that mean "no room", as opposed to a bug or a missing directory. */
const FULL = new Set(['ENOSPC', 'EDQUOT', 'EFBIG']);

/**
 * A directory of content-addressed files: the key is the SHA-256 of the bytes, stored under
 * `<root>/<first two hex digits>/<sha256>`, so identical uploads share one file. Bytes are
 * written to `<root>/.tmp/<random>` and renamed into place on commit: rename is atomic within a
 * file system, so a reader sees the whole file or none. Files are created 0600.
 */
export function createDirectoryStorage(root: string): Storage {
  const tmpDir = join(root, '.tmp');
  const pathOf = (key: string) => {
    if (!KEY.test(key)) throw new Error(`not a storage key: ${key}`);
    return join(root, key.slice(0, 2), key);
  };
  let ready: Promise<unknown> | null = null;
  const prepare = () => (ready ??= mkdir(tmpDir, { recursive: true, mode: 0o700 }));

  const failure = (err: unknown): never => {
    if (err instanceof StorageError) throw err;
    const code = (err as NodeJS.ErrnoException).code ?? '';
    if (FULL.has(code)) throw new StorageError('full', 'File storage is full', { cause: err });
    throw new StorageError('unavailable', 'File storage is unavailable', { cause: err });
  };

  return {
    kind: 'directory',

    async stage(body, { maxBytes }): Promise<StagedObject> {
      await prepare().catch(failure);
      const tmp = join(tmpDir, crypto.randomUUID());
      const hasher = new Bun.CryptoHasher('sha256');
      let size = 0;
      const handle = await open(tmp, 'wx', 0o600).catch(failure);
      try {
        for await (const chunk of meteredChunks(body, maxBytes, hasher)) {
          await handle.write(chunk);
          size += chunk.byteLength;
        }
        // On disk before it becomes visible: a crash after commit never leaves a short file.
        await handle.sync();
      } catch (err) {
        await handle.close().catch(() => {});
        await rm(tmp, { force: true });
        failure(err);
      }
      await handle.close();
      const key = hasher.digest('hex');
      return {
        key,
        size,
        sha256: key,
        async commit() {
          const dest = pathOf(key);
          await mkdir(join(root, key.slice(0, 2)), { recursive: true, mode: 0o700 }).catch(failure);
          // Same name, same bytes: replacing an existing copy is harmless and keeps this atomic.
          await rename(tmp, dest).catch(failure);
        },
        abort: () => rm(tmp, { force: true }),
      };
    },

    async get(key: string, range?: ByteRange) {
      const file = Bun.file(pathOf(key));
      if (!(await file.exists())) return null;
      return range ? file.slice(range.start, range.end + 1) : file;
    },

    async size(key) {
      try {
        return (await stat(pathOf(key))).size;
      } catch {
        return null;
      }
    },

    async delete(key) {
      await rm(pathOf(key), { force: true });
    },

    presign: () => null,
    close: async () => {},
  };
}
