import { meteredChunks, StorageError, type ByteRange, type Storage, type StagedObject } from './index.ts';

export interface S3Settings {
  bucket: string;
  endpoint?: string;
  region?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
}

/** Multipart part size: S3's minimum, so at most one part of an upload is held in memory. */
const PART_SIZE = 5 * 1024 * 1024;

const unavailable = (err: unknown): never => {
  if (err instanceof StorageError) throw err;
  throw new StorageError('unavailable', 'File storage (S3) is unavailable', { cause: err });
};

/**
 * An S3-compatible bucket through Bun's S3Client. Each upload gets a fresh random key
 * (`o/<uuid>`): an S3 object appears only when its (multipart) upload completes, so a reader
 * never sees part of one, and nobody references the key until the database row is written.
 * Bun's writer cannot abort a multipart upload, so an upload refused half way is completed and
 * then deleted at once (its key was never handed out).
 */
export function createS3Storage(settings: S3Settings): Storage {
  const s3 = new Bun.S3Client({
    bucket: settings.bucket,
    endpoint: settings.endpoint,
    region: settings.region,
    accessKeyId: settings.accessKeyId,
    secretAccessKey: settings.secretAccessKey,
  });

  return {
    kind: 's3',

    async stage(body, { maxBytes, contentType }): Promise<StagedObject> {
      const key = `o/${Bun.randomUUIDv7()}`;
      const hasher = new Bun.CryptoHasher('sha256');
      const writer = s3.file(key).writer({ type: contentType ?? 'application/octet-stream', partSize: PART_SIZE, retry: 1 });
      let size = 0;
      try {
        for await (const chunk of meteredChunks(body, maxBytes, hasher)) {
          size += chunk.byteLength;
          const pending = writer.write(chunk);
          if (pending instanceof Promise) await pending;
        }
        await writer.end();
      } catch (err) {
        await Promise.resolve()
          .then(() => writer.end())
          .catch(() => {});
        await s3.delete(key).catch(() => {});
        unavailable(err);
      }
      const sha256 = hasher.digest('hex');
      return {
        key,
        size,
        sha256,
        commit: async () => {},
        abort: async () => void (await s3.delete(key).catch(() => {})),
      };
    },

    async get(key: string, range?: ByteRange) {
      const file = s3.file(key);
      if (!range) return (await file.exists().catch(unavailable)) ? file.stream() : null;
      // Bun 1.4's `slice(0, n)` reads the whole object: ask for the range over a presigned GET instead.
      const res = await fetch(s3.presign(key, { method: 'GET', expiresIn: 60 }), {
        headers: { range: `bytes=${range.start}-${range.end}` },
      }).catch(unavailable);
      if (res.status === 404) return null;
      if (!res.ok || !res.body) throw new StorageError('unavailable', `File storage (S3) answered ${res.status} to a range read`);
      // Some servers send more than asked (s3rver answers `bytes=0-0` with the whole object, as a
      // 206): cut what came to the requested range, by where the body says it starts.
      const sent = /^bytes (\d+)-(\d+)\//.exec(res.headers.get('content-range') ?? '');
      const start = res.status === 206 && sent ? Number(sent[1]) : 0;
      const end = res.status === 206 && sent ? Number(sent[2]) : Infinity;
      return start === range.start && end === range.end ? res.body : cut(res.body, range, start);
    },

    async size(key) {
      // `file(key).size` and `stat()` come back empty on some S3-compatible servers; `size` works.
      try {
        return await s3.size(key);
      } catch (err) {
        if ((err as { code?: string }).code === 'NoSuchKey') return null;
        if (!(await s3.exists(key).catch(unavailable))) return null;
        throw err;
      }
    },

    async delete(key) {
      await s3.delete(key).catch(unavailable);
    },

    presign(key, opts) {
      return s3.presign(key, {
        method: 'GET',
        expiresIn: opts.expiresInSeconds,
        type: opts.contentType,
        contentDisposition: opts.contentDisposition,
      });
    },

    close: async () => {},
  };
}

/** The bytes `range` of a stream that holds the object's bytes from `bodyStart` on. */
function cut(body: ReadableStream<Uint8Array>, range: ByteRange, bodyStart: number): ReadableStream<Uint8Array> {
  let offset = bodyStart;
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        const from = Math.max(range.start - offset, 0);
        const to = Math.min(range.end + 1 - offset, chunk.byteLength);
        offset += chunk.byteLength;
        if (from < to) controller.enqueue(chunk.subarray(from, to));
        if (offset > range.end) controller.terminate();
      },
    }),
  );
}
