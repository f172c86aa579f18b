import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { StorageError, type Storage } from './index.ts';

/** One store under test and how to release it. */
export interface StorageUnderTest {
  storage: Storage;
  /** Keys visible to a raw listing of the store, staged or committed (to prove nothing partial is left). */
  residue(): Promise<string[]>;
  dispose(): Promise<void>;
}

const bytes = (n: number, seed = 1) => {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + seed) & 0xff;
  return out;
};
const sha256 = (b: Uint8Array) => new Bun.CryptoHasher('sha256').update(b).digest('hex');
const read = async (s: ReadableStream<Uint8Array> | Blob | null) => (s ? new Uint8Array(await new Response(s).arrayBuffer()) : null);
/** A body delivered in chunks of `chunk` bytes, optionally failing after `failAfter` chunks. */
function chunked(data: Uint8Array, chunk: number, failAfter?: number): ReadableStream<Uint8Array> {
  let offset = 0;
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (failAfter !== undefined && sent === failAfter) return controller.error(new Error('client went away'));
      if (offset >= data.length) return controller.close();
      controller.enqueue(data.slice(offset, offset + chunk));
      offset += chunk;
      sent++;
    },
  });
}

/** The behaviour every Storage implementation must have; each implementation's test file calls this. */
export function storageContract(name: string, open: () => Promise<StorageUnderTest>) {
  describe(`storage contract: ${name}`, () => {
    let sut: StorageUnderTest;
    let storage: Storage;
    beforeAll(async () => {
      sut = await open();
      storage = sut.storage;
    });
    afterAll(() => sut.dispose());

    test('a committed object reads back whole, with its size and SHA-256', async () => {
      const data = bytes(70_000);
      const staged = await storage.stage(new Blob([data]), { maxBytes: 1 << 20 });
      expect(staged.size).toBe(data.length);
      expect(staged.sha256).toBe(sha256(data));
      await staged.commit();
      expect(await storage.size(staged.key)).toBe(data.length);
      expect(await read(await storage.get(staged.key))).toEqual(data);
    });

    test('a staged object is invisible until committed, and abort leaves nothing behind', async () => {
      const before = await sut.residue();
      const staged = await storage.stage(new Blob([bytes(1000, 7)]), { maxBytes: 1 << 20 });
      if (storage.kind === 'directory') {
        expect(await storage.size(staged.key)).toBeNull();
        expect(await storage.get(staged.key)).toBeNull();
      }
      await staged.abort();
      expect(await storage.size(staged.key)).toBeNull();
      expect(await sut.residue()).toEqual(before);
    });

    test('a streamed body larger than a multipart part is stored intact', async () => {
      const data = bytes(6 * 1024 * 1024 + 123, 3);
      const staged = await storage.stage(chunked(data, 64 * 1024), { maxBytes: 8 << 20 });
      await staged.commit();
      expect(staged.sha256).toBe(sha256(data));
      expect(await storage.size(staged.key)).toBe(data.length);
      const back = await read(await storage.get(staged.key));
      expect(back!.length).toBe(data.length);
      expect(sha256(back!)).toBe(sha256(data));
    });

    test('byte ranges read exactly the requested bytes', async () => {
      const data = bytes(10_000, 5);
      const staged = await storage.stage(new Blob([data]), { maxBytes: 1 << 20 });
      await staged.commit();
      expect(await read(await storage.get(staged.key, { start: 0, end: 0 }))).toEqual(data.slice(0, 1));
      expect(await read(await storage.get(staged.key, { start: 100, end: 199 }))).toEqual(data.slice(100, 200));
      expect(await read(await storage.get(staged.key, { start: 9_990, end: 9_999 }))).toEqual(data.slice(9_990));
    });

    test('over the limit is refused as too_large and leaves nothing behind', async () => {
      const before = await sut.residue();
      const err = await storage.stage(chunked(bytes(300_000, 9), 16 * 1024), { maxBytes: 100_000 }).catch((e) => e);
      expect(err).toBeInstanceOf(StorageError);
      expect((err as StorageError).kind).toBe('too_large');
      expect(await sut.residue()).toEqual(before);
    });

    test('a body that fails half way leaves nothing behind', async () => {
      const before = await sut.residue();
      const err = await storage.stage(chunked(bytes(200_000, 11), 16 * 1024, 3), { maxBytes: 1 << 20 }).catch((e) => e);
      expect(err).toBeInstanceOf(Error);
      expect(await sut.residue()).toEqual(before);
    });

    test('delete removes the object; deleting a missing one is fine', async () => {
      const staged = await storage.stage(new Blob([bytes(500, 13)]), { maxBytes: 1 << 20 });
      await staged.commit();
      await storage.delete(staged.key);
      expect(await storage.size(staged.key)).toBeNull();
      expect(await storage.get(staged.key)).toBeNull();
      await storage.delete(staged.key);
    });

    test('a missing key has no size and no bytes', async () => {
      const missing = storage.kind === 'directory' ? '0'.repeat(64) : `o/${crypto.randomUUID()}`;
      expect(await storage.size(missing)).toBeNull();
      expect(await storage.get(missing)).toBeNull();
    });

    test('presign: a direct URL with the response headers (S3), or null (the server serves it)', async () => {
      const data = bytes(4096, 17);
      const staged = await storage.stage(new Blob([data]), { maxBytes: 1 << 20 });
      await staged.commit();
      const url = storage.presign(staged.key, {
        expiresInSeconds: 60,
        contentType: 'image/png',
        contentDisposition: 'attachment; filename="x.png"',
      });
      if (storage.kind === 'directory') return expect(url).toBeNull();
      const res = await fetch(url!, { headers: { range: 'bytes=10-19' } });
      expect(res.status).toBe(206);
      expect(res.headers.get('content-type')).toBe('image/png');
      expect(res.headers.get('content-disposition')).toBe('attachment; filename="x.png"');
      expect(new Uint8Array(await res.arrayBuffer())).toEqual(data.slice(10, 20));
    });
  });
}
