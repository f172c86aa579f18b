import { join } from 'node:path';
import { createDirectoryStorage } from './directory.ts';
import type { Storage } from './index.ts';
import { createS3Storage, type S3Settings } from './s3.ts';

/** The configured store: S3 when a bucket is set, else a directory (default `DATA_DIR/files`). */
export function openStorage(config: { dataDir: string; storageDir: string | null; s3: S3Settings | null }): Storage {
  if (config.s3) return createS3Storage(config.s3);
  return createDirectoryStorage(config.storageDir ?? join(config.dataDir, 'files'));
}
