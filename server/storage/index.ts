/**
 * File storage: bytes only (metadata lives in the database). Two implementations behind one
 * interface, one contract suite (storage.contract.ts) run against both.
 *
 * Writing is two-phase so that no reader ever sees part of a file and the database row can be
 * written between the phases: `stage` streams the bytes somewhere invisible while counting and
 * hashing them, `commit` makes them visible under `key` in one atomic step, `abort` forgets them.
 */
export interface Storage {
  readonly kind: 'directory' | 's3';
  /** Streams `body` in; refuses (StorageError 'too_large') past `maxBytes` without keeping the rest. */
  stage(body: ReadableStream<Uint8Array> | Blob, opts: { maxBytes: number; contentType?: string }): Promise<StagedObject>;
  /**
   * The bytes of `key` (an inclusive byte range if given), or null when there is no such object.
   * A Blob (a lazy file slice) lets the HTTP server send a file straight from disk.
   */
  get(key: string, range?: ByteRange): Promise<ReadableStream<Uint8Array> | Blob | null>;
  /** Size in bytes, or null when there is no such object. */
  size(key: string): Promise<number | null>;
  /** Removes the object; removing a missing one is not an error. */
  delete(key: string): Promise<void>;
  /** A URL that serves the object directly (S3), or null when the server must serve it itself. */
  presign(key: string, opts: PresignOptions): string | null;
  close(): Promise<void>;
}

export interface StagedObject {
  /** Where the object will be visible once committed. */
  key: string;
  size: number;
  /** Hex SHA-256 of the bytes (used as the ETag). */
  sha256: string;
  /** Makes the object visible under `key`, atomically. */
  commit(): Promise<void>;
  /** Forgets the staged bytes (safe to call after a failed commit). */
  abort(): Promise<void>;
}

/** Inclusive byte offsets, as in an HTTP Range header. */
export interface ByteRange {
  start: number;
  end: number;
}

export interface PresignOptions {
  expiresInSeconds: number;
  contentType: string;
  contentDisposition: string;
}

export type StorageErrorKind = 'too_large' | 'full' | 'unavailable';

/** A storage failure the uploader should hear about in plain words (never a half-stored file). */
export class StorageError extends Error {
  constructor(
    readonly kind: StorageErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StorageError';
  }
}

/** Reads `body` chunk by chunk, hashing and counting; throws StorageError('too_large') past `maxBytes`. */
export async function* meteredChunks(
  body: ReadableStream<Uint8Array> | Blob,
  maxBytes: number,
  hasher: Bun.CryptoHasher,
): AsyncGenerator<Uint8Array> {
  const stream = body instanceof Blob ? body.stream() : body;
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > maxBytes) throw new StorageError('too_large', `The file is larger than ${maxBytes} bytes`);
    hasher.update(chunk);
    yield chunk;
  }
}
