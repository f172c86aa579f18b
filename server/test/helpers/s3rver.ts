import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';

export interface TestS3 {
  endpoint: string;
  bucket: string;
  /** The settings a Parley S3 storage (or S3_* variables) needs to reach this server. */
  settings: { bucket: string; endpoint: string; region: string; accessKeyId: string; secretAccessKey: string };
  env: Record<string, string>;
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** A real S3-compatible server (s3rver), in-process on 127.0.0.1 and an ephemeral port, with one bucket. */
export async function startTestS3(bucket = 'parley-test'): Promise<TestS3> {
  const directory = mkdtempSync(join(tmpdir(), 'parley-s3-'));
  const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory, configureBuckets: [{ name: bucket, configs: [] }] });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  // s3rver accepts this fixed key pair.
  const settings = { bucket, endpoint, region: 'us-east-1', accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
  let stopped: Promise<void> | null = null;
  // Idempotent: a test may stop the server to simulate an outage before the suite's cleanup.
  const stop = () =>
    (stopped ??= (async () => {
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    })());
  return {
    endpoint,
    bucket,
    settings,
    env: {
      S3_BUCKET: bucket,
      S3_ENDPOINT: endpoint,
      S3_REGION: 'us-east-1',
      S3_ACCESS_KEY_ID: 'S3RVER',
      S3_SECRET_ACCESS_KEY: 'S3RVER',
    },
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
