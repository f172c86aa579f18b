import { expect, test } from 'bun:test';
import { startTestS3 } from '../test/helpers/s3rver.ts';
import { StorageError } from './index.ts';
import { createS3Storage } from './s3.ts';
import { storageContract } from './storage.contract.ts';

// A real S3-compatible server (s3rver) on 127.0.0.1, not a mock.
storageContract('s3 (s3rver)', async () => {
  const s3 = await startTestS3();
  const raw = new Bun.S3Client(s3.settings);
  return {
    storage: createS3Storage(s3.settings),
    residue: async () => ((await raw.list()).contents ?? []).map((o) => o.key).sort(),
    dispose: () => s3.stop(),
  };
});

test('s3: an unreachable endpoint is a clear "unavailable" error', async () => {
  const s3 = await startTestS3();
  const settings = s3.settings;
  await s3.stop();
  const storage = createS3Storage(settings);
  const err = await storage.stage(new Blob(['x']), { maxBytes: 100 }).catch((e) => e);
  expect(err).toBeInstanceOf(StorageError);
  expect((err as StorageError).kind).toBe('unavailable');
});
